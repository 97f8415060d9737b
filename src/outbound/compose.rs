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
        if !ok {
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
            let text = str_of(body, "text").trim().to_string();
            let typed = body["text"].is_null() || body["text"].is_string();
            e.check(typed, "text", "must be a string");
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
            let mut params: Vec<String> = t["parameters"]
                .as_array()
                .map(|a| {
                    a.iter()
                        .map(|p| {
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
            e.check(
                !upload.is_empty(),
                "media_id",
                "is required: upload the file to /attachments first",
            );
            let caption = str_of(body, "caption").trim().to_string();
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
    let body = str_of(i, "body").trim().to_string();
    e.check(
        !body.is_empty() && chars(&body) <= 1024,
        "interactive.body",
        "must be 1 to 1024 characters",
    );
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
            Composed {
                kind: "interactive".into(),
                text: body.clone(),
                details: json!({"interactive": {"type": "button", "buttons": buttons}}),
                payload: json!({"type": "interactive", "interactive": {"type": "button", "body": {"text": body}, "action": {"buttons": action}}}),
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
            let sections = i["sections"].as_array().cloned().unwrap_or_default();
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
            for r in sections
                .iter()
                .flat_map(|s| s["rows"].as_array().cloned().unwrap_or_default())
            {
                e.check(
                    !str_of(&r, "id").is_empty() && str_of(&r, "id").len() <= 200,
                    "interactive.sections.rows.id",
                    "must be 1 to 200 characters",
                );
                e.check(
                    !str_of(&r, "title").is_empty() && chars(str_of(&r, "title")) <= 24,
                    "interactive.sections.rows.title",
                    "must be 1 to 24 characters",
                );
                e.check(
                    chars(str_of(&r, "description")) <= 72,
                    "interactive.sections.rows.description",
                    "must be at most 72 characters",
                );
            }
            for (key, field) in [
                ("header", "interactive.header"),
                ("footer", "interactive.footer"),
            ] {
                e.check(
                    chars(str_of(i, key)) <= 60,
                    field,
                    "must be at most 60 characters",
                );
            }
            let mut payload = json!({"type": "list", "body": {"text": body}, "action": {"button": button, "sections": sections}});
            if !str_of(i, "header").is_empty() {
                payload["header"] = json!({"type": "text", "text": str_of(i, "header")});
            }
            if !str_of(i, "footer").is_empty() {
                payload["footer"] = json!({"text": str_of(i, "footer")});
            }
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
}
