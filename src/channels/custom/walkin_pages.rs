//! The walk-in pages a customer sees on their phone, and the printable poster.
//! Plain server-rendered HTML: it loads instantly on a shop's Wi-Fi and works
//! without JavaScript. Everything typed by people is escaped.
use crate::error::FieldError;

fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            c => out.push(c),
        }
    }
    out
}

const STYLE: &str = r#"
*{box-sizing:border-box}
body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;background:#f4f6f5;color:#1a2320}
main{max-width:28rem;margin:0 auto;padding:1.5rem 1rem 3rem}
.card{background:#fff;border-radius:14px;padding:1.5rem;box-shadow:0 1px 3px rgba(0,0,0,.08)}
h1{font-size:1.4rem;margin:.25rem 0 .25rem}
.biz{color:#0b7a55;font-weight:600;font-size:.9rem;text-transform:uppercase;letter-spacing:.04em}
p.lead{color:#4a5752;margin:.25rem 0 1.25rem}
label{display:block;font-weight:600;margin:1rem 0 .3rem}
label small{font-weight:400;color:#6b7772}
input,textarea{width:100%;font:inherit;padding:.75rem .85rem;border:1px solid #c9d2ce;border-radius:10px;background:#fff;color:inherit}
input:focus,textarea:focus{outline:2px solid #12a16d;border-color:#12a16d}
.bad input,.bad textarea{border-color:#c62828}
.err{color:#c62828;font-size:.9rem;margin:.3rem 0 0}
.summary{background:#fdecea;color:#8e1c1c;border-radius:10px;padding:.75rem 1rem;margin-bottom:.5rem}
button{margin-top:1.5rem;width:100%;font:inherit;font-weight:600;padding:.9rem;border:0;border-radius:10px;background:#12a16d;color:#fff}
.hp{position:absolute;left:-10000px;width:1px;height:1px;overflow:hidden}
.fine{color:#6b7772;font-size:.8rem;text-align:center;margin-top:1.25rem}
.done{text-align:center}
.done .tick{font-size:3rem;line-height:1;color:#12a16d}
@media (prefers-color-scheme:dark){
 body{background:#101614;color:#e4ebe8}.card{background:#18211e;box-shadow:none}
 input,textarea{background:#101614;border-color:#33423c}p.lead,.fine,label small{color:#9aa8a2}
 .summary{background:#3a1616;color:#f6c7c7}}
"#;

fn page(title: &str, body: &str) -> String {
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\">\
         <meta name=\"viewport\" content=\"width=device-width,initial-scale=1\">\
         <meta name=\"robots\" content=\"noindex\"><title>{}</title><style>{STYLE}</style></head>\
         <body><main>{body}</main></body></html>",
        esc(title)
    )
}

/// What the customer typed, put back in the form after a mistake.
#[derive(Default)]
pub struct Entered {
    pub name: String,
    pub phone: String,
    pub email: String,
    pub note: String,
}

fn field(name: &str, label: &str, hint: &str, input: &str, errors: &[FieldError]) -> String {
    let error = errors.iter().find(|e| e.field == name);
    let (class, msg) = match error {
        Some(e) => (
            " class=\"bad\"",
            format!(
                "<p class=\"err\" id=\"{name}-error\">{}</p>",
                esc(&e.message)
            ),
        ),
        None => ("", String::new()),
    };
    let hint = if hint.is_empty() {
        String::new()
    } else {
        format!(" <small>{hint}</small>")
    };
    format!("<div{class}><label for=\"{name}\">{label}{hint}</label>{input}{msg}</div>")
}

/// `country_known`: the business has a default country, so a number may
/// leave its country code out (and the hint asks only for the area code).
pub fn form(
    business: &str,
    channel: &str,
    country_known: bool,
    v: &Entered,
    errors: &[FieldError],
) -> String {
    let described = |n: &str| {
        if errors.iter().any(|e| e.field == n) {
            format!(" aria-invalid=\"true\" aria-describedby=\"{n}-error\"")
        } else {
            String::new()
        }
    };
    let summary = if errors.is_empty() {
        String::new()
    } else {
        "<div class=\"summary\" role=\"alert\">Please check the fields marked below.</div>".into()
    };
    let body = format!(
        "<div class=\"card\"><div class=\"biz\">{biz}</div><h1>Leave us your details</h1>\
         <p class=\"lead\">We will get back to you on WhatsApp. ({chan})</p>{summary}\
         <form method=\"post\" novalidate data-testid=\"walkin-form\">{name}{phone}{email}{note}\
         <div class=\"hp\" aria-hidden=\"true\"><label for=\"website\">Website</label>\
         <input id=\"website\" name=\"website\" tabindex=\"-1\" autocomplete=\"off\"></div>\
         <button type=\"submit\" data-testid=\"walkin-submit\">Send</button></form>\
         <p class=\"fine\">{biz} uses your details only to contact you about your visit.</p></div>",
        biz = esc(business),
        chan = esc(channel),
        name = field(
            "name",
            "Your name",
            "",
            &format!(
                "<input id=\"name\" name=\"name\" autocomplete=\"name\" required maxlength=\"120\" value=\"{}\"{}>",
                esc(&v.name),
                described("name")
            ),
            errors
        ),
        phone = field(
            "phone",
            "WhatsApp number",
            if country_known {
                "with area code"
            } else {
                "with country code, like +55 11 98765-4321"
            },
            &format!(
                "<input id=\"phone\" name=\"phone\" type=\"tel\" inputmode=\"tel\" autocomplete=\"tel\" required value=\"{}\"{}>",
                esc(&v.phone),
                described("phone")
            ),
            errors
        ),
        email = field(
            "email",
            "Email",
            "optional",
            &format!(
                "<input id=\"email\" name=\"email\" type=\"email\" autocomplete=\"email\" value=\"{}\"{}>",
                esc(&v.email),
                described("email")
            ),
            errors
        ),
        note = field(
            "note",
            "What are you looking for?",
            "optional",
            &format!(
                "<textarea id=\"note\" name=\"note\" rows=\"3\" maxlength=\"4096\"{}>{}</textarea>",
                described("note"),
                esc(&v.note)
            ),
            errors
        ),
    );
    page(&format!("{business} — {channel}"), &body)
}

/// `slug`: the form's, for the script beside the page (a relative path, so a
/// proxy's path prefix is kept).
pub fn thanks(slug: &str, business: &str, first_name: &str, assignee: Option<&str>) -> String {
    let hello = if first_name.is_empty() {
        "Thank you!".to_string()
    } else {
        format!("Thank you, {}!", esc(first_name))
    };
    let who = match assignee {
        Some(name) => format!(
            "<strong data-testid=\"walkin-assignee\">{}</strong> from {} will contact you on WhatsApp shortly.",
            esc(name),
            esc(business)
        ),
        None => format!("Someone from {} will contact you on WhatsApp shortly.", esc(business)),
    };
    page(
        business,
        &format!(
            "<div class=\"card done\" data-testid=\"walkin-thanks\"><div class=\"tick\">✓</div>\
             <h1>{hello}</h1><p class=\"lead\">{who}</p></div>\
             <script src=\"{}/thanks.js\"></script>",
            esc(slug)
        ),
    )
}

pub fn slow_down(business: &str) -> String {
    page(
        business,
        "<div class=\"card done\"><h1>One moment, please</h1><p class=\"lead\">We received many \
         forms from this connection. Please try again in a few minutes.</p></div>",
    )
}

pub fn missing() -> String {
    page(
        "Form not found",
        "<div class=\"card done\"><h1>This form is no longer here</h1><p class=\"lead\">Please ask \
         the staff for the current QR code.</p></div>",
    )
}

/// An A5 page to print and put on the counter: the business, the QR code, the address.
pub fn poster(business: &str, channel: &str, url: &str, qr_svg: &str) -> String {
    let svg = qr_svg
        .trim_start_matches(|c| c != '<')
        .split_once("?>")
        .map_or(qr_svg, |(_, rest)| rest);
    format!(
        "<!doctype html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>{title}</title><style>\
         @page{{size:A5 portrait;margin:12mm}}\
         body{{margin:0;font-family:system-ui,-apple-system,\"Segoe UI\",Roboto,sans-serif;color:#111;text-align:center}}\
         .sheet{{width:124mm;min-height:186mm;margin:0 auto;display:flex;flex-direction:column;align-items:center;justify-content:center;gap:6mm}}\
         h1{{font-size:22pt;margin:0}}h2{{font-size:15pt;font-weight:500;margin:0;color:#333}}\
         .qr svg{{width:88mm;height:88mm}}.url{{font-size:10pt;color:#444;word-break:break-all}}\
         .steps{{font-size:12pt;margin:0}}.print{{margin:6mm;padding:3mm 8mm;font:inherit}}\
         @media print{{.print{{display:none}}}}</style></head><body><div class=\"sheet\">\
         <h1>{biz}</h1><h2>Scan to leave your details</h2><div class=\"qr\" data-testid=\"poster-qr\">{svg}</div>\
         <p class=\"steps\">Open your camera, point it at the code,<br>and we will contact you on WhatsApp.</p>\
         <p class=\"url\">{url}</p><button class=\"print\" onclick=\"window.print()\">Print</button></div></body></html>",
        title = esc(&format!("Poster — {channel}")),
        biz = esc(business),
        url = esc(url),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_phone_hint_asks_for_the_country_code_only_when_the_business_has_no_country() {
        let blank = Entered::default();
        assert!(form("Acme", "Loja", true, &blank, &[]).contains("with area code"));
        let without = form("Acme", "Loja", false, &blank, &[]);
        assert!(without.contains("with country code") && !without.contains("with area code"));
    }
}
