//! Turns an API send request into the Graph API body, enforcing WhatsApp's
//! limits up front so a bad message is a 422 now, not a failure later.
use serde_json::{json, Value};

use crate::error::{ApiError, ApiResult, FieldError};

pub struct Composed {
    pub kind: String,
    pub text: String,
    pub details: Value,
    /// The Graph body without `to`, `messaging_product` and `context`.
    pub payload: Value,
    /// Templates are the only messages allowed outside the 24-hour window.
    pub is_template: bool,
    /// An attachment (upload id) that the sender uploads to Meta first.
    pub upload: Option<String>,
}

struct Errors(Vec<FieldError>);

impl Errors {
    fn check(&mut self, ok: bool, field: &str, message: &str) {
        // Told once: ten rows breaking one rule are one thing to fix.
        let told = self
            .0
            .iter()
            .any(|f| f.field == field && f.message == message);
        if !ok && !told {
            self.0.push(FieldError {
                field: field.into(),
                message: message.into(),
            });
        }
    }
}

fn str_of<'a>(v: &'a Value, key: &str) -> &'a str {
    v[key].as_str().unwrap_or("")
}

fn chars(s: &str) -> usize {
    s.chars().count()
}

pub fn compose(body: &Value) -> ApiResult<Composed> {
    let mut e = Errors(Vec::new());
    let composed = match str_of(body, "type") {
        "text" => {
            let text = without_blank_edges(str_of(body, "text"));
            let typed = body["text"].is_null() || body["text"].is_string();
            e.check(typed, "text", "must be a string");
            e.check(printable(&text), "text", CONTROL_CHARACTERS);
            e.check(!typed || !text.is_empty(), "text", "is required");
            e.check(
                chars(&text) <= 4096,
                "text",
                "must be at most 4096 characters",
            );
            Composed {
                kind: "text".into(),
                payload: json!({"type": "text", "text": {"preview_url": false, "body": text}}),
                details: json!({}),
                text,
                is_template: false,
                upload: None,
            }
        }
        "template" => {
            let t = &body["template"];
            let name = str_of(t, "name").to_string();
            // Meta's own shape `{"code": "pt_BR"}` is as good as the plain code.
            let language = t["language"]
                .as_str()
                .or_else(|| t["language"]["code"].as_str())
                .unwrap_or("en_US")
                .to_string();
            e.check(
                !name.is_empty() && chars(&name) <= 512,
                "template.name",
                "is required",
            );
            e.check(
                t["parameters"].is_null() || t["parameters"].is_array(),
                "template.parameters",
                "must be a list of texts",
            );
            let mut params: Vec<String> = t["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| {
                            e.check(
                                p.is_string() || p.is_number(),
                                "template.parameters",
                                "must be a list of texts",
                            );
                            p.as_str()
                                .map(str::to_string)
                                .unwrap_or_else(|| p.to_string())
                        })
                        .collect()
                })
                .unwrap_or_default();
            let mut components = Vec::new();
            if !params.is_empty() {
                components.push(json!({"type": "body", "parameters": params.iter().map(|p| json!({"type": "text", "text": p})).collect::<Vec<_>>()}));
            }
            // Header and button parameters go as Meta writes them: the
            // components are passed on, each an object naming its type.
            if let Some(given) = t["components"].as_array() {
                let well_formed = given
                    .iter()
                    .all(|c| c["type"].as_str().is_some_and(|k| !k.is_empty()));
                e.check(
                    well_formed && params.is_empty(),
                    "template.components",
                    "must be objects with a type, and not given with parameters",
                );
                components = given.clone();
                // The body's texts, for the thread and the parameter count check.
                params = given
                    .iter()
                    .filter(|c| c["type"] == "body")
                    .flat_map(|c| c["parameters"].as_array().cloned().unwrap_or_default())
                    .map(|p| p["text"].as_str().map_or_else(|| p.to_string(), str::to_string))
                    .collect();
            }
            // Meta refuses these with 132018 only once the message is sent.
            for p in &params {
                e.check(
                    !p.trim().is_empty(),
                    "template.parameters",
                    "must not be empty",
                );
                e.check(
                    !p.contains(['\n', '\t']) && !p.contains("     ") && printable(p),
                    "template.parameters",
                    "cannot hold line breaks, tabs or more than 4 spaces in a row",
                );
            }
            Composed {
                kind: "template".into(),
                text: format!(
                    "Template {name}{}",
                    if params.is_empty() {
                        String::new()
                    } else {
                        format!(": {}", params.join(", "))
                    }
                ),
                details: json!({"template": {"name": name, "language": language, "parameters": params}}),
                payload: json!({"type": "template", "template": {"name": name, "language": {"code": language}, "components": components}}),
                is_template: true,
                upload: None,
            }
        }
        "interactive" => interactive(&body["interactive"], &mut e),
        kind @ ("image" | "video" | "audio" | "document" | "sticker") => {
            let upload = str_of(body, "media_id").to_string();
            let typed = body["media_id"].is_null() || body["media_id"].is_string();
            e.check(
                typed,
                "media_id",
                "must be the id (a string) that /attachments answered",
            );
            e.check(
                !typed || !upload.is_empty(),
                "media_id",
                "is required: upload the file to /attachments first",
            );
            let caption = without_blank_edges(str_of(body, "caption"));
            e.check(printable(&caption), "caption", CONTROL_CHARACTERS);
            e.check(
                chars(&caption) <= 1024,
                "caption",
                "must be at most 1024 characters",
            );
            let takes_caption = matches!(kind, "image" | "video" | "document");
            e.check(
                caption.is_empty() || takes_caption,
                "caption",
                "this type takes no caption",
            );
            let mut inner = json!({});
            if !caption.is_empty() {
                inner["caption"] = json!(caption);
            }
            Composed {
                kind: kind.to_string(),
                text: caption.clone(),
                details: json!({"media": {"upload_id": upload, "caption": (!caption.is_empty()).then_some(caption)}}),
                payload: json!({"type": kind, kind: inner}),
                is_template: false,
                upload: Some(upload),
            }
        }
        "" => {
            return Err(ApiError::field(
                "type",
                "is required (text, template, interactive, image, video, audio, document or sticker)",
            ))
        }
        other => {
            return Err(ApiError::field(
                "type",
                format!("`{other}` is not supported (text, template, interactive, image, video, audio, document or sticker)"),
            ))
        }
    };
    if e.0.is_empty() {
        Ok(composed)
    } else {
        Err(ApiError::validation(e.0))
    }
}

fn interactive(i: &Value, e: &mut Errors) -> Composed {
    let body = without_blank_edges(str_of(i, "body"));
    e.check(
        !body.is_empty() && chars(&body) <= 1024,
        "interactive.body",
        "must be 1 to 1024 characters",
    );
    e.check(printable(&body), "interactive.body", CONTROL_CHARACTERS);
    for (key, field) in [
        ("header", "interactive.header"),
        ("footer", "interactive.footer"),
    ] {
        e.check(
            chars(str_of(i, key)) <= 60 && printable(str_of(i, key)),
            field,
            "must be at most 60 characters, with no control characters",
        );
    }
    match str_of(i, "type") {
        "button" => {
            let buttons = i["buttons"].as_array().cloned().unwrap_or_default();
            e.check(
                (1..=3).contains(&buttons.len()),
                "interactive.buttons",
                "must hold 1 to 3 buttons",
            );
            let mut ids = Vec::new();
            let mut titles = Vec::new();
            for b in &buttons {
                let (id, title) = (str_of(b, "id"), str_of(b, "title"));
                e.check(
                    !id.is_empty() && id.len() <= 256,
                    "interactive.buttons.id",
                    "must be 1 to 256 characters",
                );
                e.check(
                    !title.is_empty() && chars(title) <= 20,
                    "interactive.buttons.title",
                    "must be 1 to 20 characters",
                );
                e.check(
                    !titles.contains(&title) && !ids.contains(&id),
                    "interactive.buttons",
                    "titles and ids must be unique",
                );
                ids.push(id);
                titles.push(title);
            }
            let action: Vec<Value> = buttons
                .iter()
                .map(|b| json!({"type": "reply", "reply": {"id": str_of(b, "id"), "title": str_of(b, "title")}}))
                .collect();
            let buttons: Vec<Value> = buttons
                .iter()
                .map(|b| json!({"id": str_of(b, "id"), "title": str_of(b, "title")}))
                .collect();
            let mut payload =
                json!({"type": "button", "body": {"text": body}, "action": {"buttons": action}});
            header_and_footer(i, &mut payload);
            Composed {
                kind: "interactive".into(),
                text: body.clone(),
                details: json!({"interactive": {"type": "button", "buttons": buttons}}),
                payload: json!({"type": "interactive", "interactive": payload}),
                is_template: false,
                upload: None,
            }
        }
        "list" => {
            let button = str_of(i, "button").to_string();
            e.check(
                !button.is_empty() && chars(&button) <= 20,
                "interactive.button",
                "must be 1 to 20 characters",
            );
            let given = i["sections"].as_array().cloned().unwrap_or_default();
            let sections = list_sections(&given, e);
            let rows: usize = sections
                .iter()
                .map(|s| s["rows"].as_array().map_or(0, Vec::len))
                .sum();
            e.check(
                !sections.is_empty() && sections.len() <= 10,
                "interactive.sections",
                "must hold 1 to 10 sections",
            );
            e.check(
                (1..=10).contains(&rows),
                "interactive.sections.rows",
                "must hold 1 to 10 rows in all",
            );
            let mut payload = json!({"type": "list", "body": {"text": body}, "action": {"button": button, "sections": sections}});
            header_and_footer(i, &mut payload);
            Composed {
                kind: "interactive".into(),
                text: body.clone(),
                details: json!({"interactive": {"type": "list", "button": button, "sections": sections}}),
                payload: json!({"type": "interactive", "interactive": payload}),
                is_template: false,
                upload: None,
            }
        }
        _ => {
            e.check(false, "interactive.type", "must be button or list");
            Composed {
                kind: String::new(),
                text: String::new(),
                details: Value::Null,
                payload: Value::Null,
                is_template: false,
                upload: None,
            }
        }
    }
}

/// Meta's rules for a list's sections, and only the fields Meta knows
/// passed on: a client's extra keys would make Meta refuse the whole message.
fn list_sections(given: &[Value], e: &mut Errors) -> Vec<Value> {
    let mut ids: Vec<&str> = Vec::new();
    let mut out = Vec::new();
    for s in given {
        let title = str_of(s, "title");
        e.check(
            chars(title) <= 24 && (given.len() == 1 || !title.trim().is_empty()),
            "interactive.sections.title",
            "must be at most 24 characters, and is required when there are several sections",
        );
        let mut rows = Vec::new();
        for r in s["rows"].as_array().map(Vec::as_slice).unwrap_or_default() {
            let (id, title, description) = (
                str_of(r, "id"),
                str_of(r, "title"),
                str_of(r, "description"),
            );
            e.check(
                !id.is_empty() && id.len() <= 200,
                "interactive.sections.rows.id",
                "must be 1 to 200 characters",
            );
            e.check(
                !ids.contains(&id),
                "interactive.sections.rows.id",
                "must be unique across the list",
            );
            ids.push(id);
            e.check(
                !title.is_empty() && chars(title) <= 24,
                "interactive.sections.rows.title",
                "must be 1 to 24 characters",
            );
            e.check(
                chars(description) <= 72,
                "interactive.sections.rows.description",
                "must be at most 72 characters",
            );
            let mut row = json!({"id": id, "title": title});
            if !description.is_empty() {
                row["description"] = json!(description);
            }
            rows.push(row);
        }
        let mut section = json!({"rows": rows});
        if !title.is_empty() {
            section["title"] = json!(title);
        }
        out.push(section);
    }
    out
}

fn header_and_footer(i: &Value, payload: &mut Value) {
    if !str_of(i, "header").is_empty() {
        payload["header"] = json!({"type": "text", "text": str_of(i, "header")});
    }
    if !str_of(i, "footer").is_empty() {
        payload["footer"] = json!({"text": str_of(i, "footer")});
    }
}

const CONTROL_CHARACTERS: &str = "cannot hold control characters";

/// Text a phone can show: no control characters but line breaks and tabs.
fn printable(s: &str) -> bool {
    !s.chars()
        .any(|c| c.is_control() && !matches!(c, '\n' | '\t' | '\r'))
}

/// Blank lines around a message and trailing spaces go; the first line's
/// own indentation stays (a person indented it).
fn without_blank_edges(s: &str) -> String {
    let s = s.trim_end();
    let first = s.find(|c: char| !c.is_whitespace()).unwrap_or(s.len());
    let line_start = s[..first].rfind('\n').map_or(0, |i| i + 1);
    s[line_start..].to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fields(r: ApiResult<Composed>) -> Vec<String> {
        match r {
            Ok(_) => vec![],
            Err(e) => e
                .details
                .unwrap_or_default()
                .into_iter()
                .map(|d| d.field)
                .collect(),
        }
    }

    #[test]
    fn a_template_takes_metas_own_language_and_components() {
        let header = json!({"type": "header", "parameters": [{"type": "image", "image": {"link": "https://x.test/a.jpg"}}]});
        let body = json!({"type": "body", "parameters": [{"type": "text", "text": "Carla"}]});
        let t = compose(&json!({"type": "template", "template": {"name": "promo",
            "language": {"code": "pt_BR"}, "components": [header, body]}}))
        .unwrap();
        assert_eq!(t.payload["template"]["language"]["code"], "pt_BR");
        assert_eq!(t.payload["template"]["components"][0]["type"], "header");
        assert_eq!(t.details["template"]["parameters"], json!(["Carla"]));
        let both = json!({"type": "template", "template": {"name": "promo", "parameters": ["x"],
            "components": [{"type": "body"}]}});
        assert_eq!(fields(compose(&both)), ["template.components"]);
    }

    #[test]
    fn whatsapp_limits_are_enforced_before_sending() {
        assert!(compose(&json!({"type": "text", "text": "hi"})).is_ok());
        assert_eq!(
            fields(compose(&json!({"type": "text", "text": "x".repeat(4097)}))),
            ["text"]
        );
        let four = json!({"type": "interactive", "interactive": {"type": "button", "body": "Pick", "buttons": [
            {"id": "a", "title": "A"}, {"id": "b", "title": "B"}, {"id": "c", "title": "C"}, {"id": "d", "title": "D"}]}});
        assert_eq!(fields(compose(&four)), ["interactive.buttons"]);
        let long = json!({"type": "interactive", "interactive": {"type": "button", "body": "Pick", "buttons": [
            {"id": "a", "title": "This title is far too long"}]}});
        assert_eq!(fields(compose(&long)), ["interactive.buttons.title"]);
        let rows: Vec<Value> = (0..11)
            .map(|i| json!({"id": format!("r{i}"), "title": "Row"}))
            .collect();
        let list = json!({"type": "interactive", "interactive": {"type": "list", "body": "Pick", "button": "Choose",
            "sections": [{"title": "S", "rows": rows}]}});
        assert_eq!(fields(compose(&list)), ["interactive.sections.rows"]);
        let t = compose(&json!({"type": "template", "template": {"name": "order_update", "language": "pt_BR", "parameters": ["Carla"]}})).unwrap();
        assert!(t.is_template);
        assert_eq!(
            t.payload["template"]["components"][0]["parameters"][0]["text"],
            "Carla"
        );
        assert!(compose(&json!({"type": "sticker"})).is_err());
    }

    #[test]
    fn malformed_input_is_refused_rather_than_changed_or_dropped() {
        let template = |params: Value| {
            fields(compose(
                &json!({"type": "template", "template": {"name": "t", "parameters": params}}),
            ))
        };
        assert_eq!(template(json!({"1": "Carla"})), ["template.parameters"]);
        assert_eq!(template(json!([""])), ["template.parameters"]);
        assert_eq!(template(json!(["a\nb"])), ["template.parameters"]);
        assert_eq!(template(json!(["c     d"])), ["template.parameters"]);
        assert!(template(json!(["Carla", 42])).is_empty());
        assert_eq!(
            fields(compose(&json!({"type": "text", "text": "nul\u{0}here"}))),
            ["text"]
        );
        assert_eq!(
            fields(compose(&json!({"type": "image", "media_id": 5}))),
            ["media_id"]
        );
        assert_eq!(
            fields(compose(&json!({"type": "image", "media_id": ""}))),
            ["media_id"]
        );
        let indented =
            compose(&json!({"type": "text", "text": "\n  \n  indented\n  more\n\n  "})).unwrap();
        assert_eq!(indented.text, "  indented\n  more");
    }

    #[test]
    fn buttons_keep_their_header_and_footer_and_lists_follow_metas_section_rules() {
        let buttons = compose(&json!({"type": "interactive", "interactive": {"type": "button", "body": "Pick",
            "header": "Menu", "footer": "Reply below", "buttons": [{"id": "a", "title": "A", "extra": 1}]}}))
        .unwrap();
        assert_eq!(buttons.payload["interactive"]["header"]["text"], "Menu");
        assert_eq!(
            buttons.payload["interactive"]["footer"]["text"],
            "Reply below"
        );
        let list = |sections: Value| {
            compose(
                &json!({"type": "interactive", "interactive": {"type": "list", "body": "Pick",
                "button": "Choose", "sections": sections}}),
            )
        };
        let two_untitled =
            json!([{"rows": [{"id": "a", "title": "A"}]}, {"rows": [{"id": "b", "title": "B"}]}]);
        assert_eq!(fields(list(two_untitled)), ["interactive.sections.title"]);
        let long_title = json!([{"title": "A section title that is too long", "rows": [{"id": "a", "title": "A"}]}]);
        assert_eq!(fields(list(long_title)), ["interactive.sections.title"]);
        let same_id = json!([{"title": "S1", "rows": [{"id": "a", "title": "A"}]}, {"title": "S2", "rows": [{"id": "a", "title": "B"}]}]);
        assert_eq!(fields(list(same_id)), ["interactive.sections.rows.id"]);
        let extra =
            list(json!([{"rows": [{"id": "a", "title": "A", "color": "red"}], "hidden": true}]))
                .unwrap();
        assert_eq!(
            extra.payload["interactive"]["action"]["sections"],
            json!([{"rows": [{"id": "a", "title": "A"}]}])
        );
    }
}
