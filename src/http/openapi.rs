//! The OpenAPI 3.1 description, generated from the route table itself: every
//! route registered through `Routes` is an operation, named after its handler,
//! tagged by its path, and secured according to the actor it extracts. Because
//! the document and the server come from the same table, they cannot drift.
use std::sync::OnceLock;

use actix_web::{http::Method, HttpResponse};
use utoipa::openapi::{
    extensions::ExtensionsBuilder,
    path::{HttpMethod, OperationBuilder, ParameterBuilder, ParameterIn, PathItem},
    request_body::RequestBodyBuilder,
    schema::{ComponentsBuilder, ObjectBuilder, Type},
    security::{
        ApiKey, ApiKeyValue, HttpAuthScheme, HttpBuilder, SecurityRequirement, SecurityScheme,
    },
    ContentBuilder, InfoBuilder, OpenApi, OpenApiBuilder, PathsBuilder, Ref, Required,
    ResponseBuilder, Tag,
};

use super::routes::{RouteDoc, Routes};
use crate::auth::session::SESSION_COOKIE;

pub const PATH: &str = "/api/openapi.json";

pub fn routes(r: &mut Routes) {
    r.get(PATH, serve);
}

async fn serve() -> HttpResponse {
    static DOCUMENT: OnceLock<String> = OnceLock::new();
    let body = DOCUMENT.get_or_init(|| {
        let mut routes = Routes::default();
        super::api(&mut routes);
        document(routes.docs())
            .to_json()
            .unwrap_or_else(|_| "{}".into())
    });
    HttpResponse::Ok()
        .content_type("application/json")
        .body(body.as_str())
}

/// Who may call a route, read from the extractors its handler takes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Access {
    Public,
    SignedIn,
    Member,
    Owner,
    Admin,
}

impl Access {
    pub fn of(extractors: &str) -> Access {
        let takes = |name: &str| {
            let needle = format!("auth::actor::{name}");
            extractors.match_indices(&needle).any(|(at, _)| {
                let rest = &extractors[at + needle.len()..];
                !rest.starts_with(|c: char| c.is_alphanumeric() || c == '_')
            })
        };
        if takes("AdminActor") {
            Access::Admin
        } else if takes("OwnerActor") {
            Access::Owner
        } else if takes("MemberActor") {
            Access::Member
        } else if takes("Actor") {
            Access::SignedIn
        } else {
            Access::Public
        }
    }

    fn code(self) -> &'static str {
        match self {
            Access::Public => "public",
            Access::SignedIn => "signed_in",
            Access::Member => "member",
            Access::Owner => "owner",
            Access::Admin => "admin",
        }
    }

    fn sentence(self) -> &'static str {
        match self {
            Access::Public => "Public: no sign-in needed.",
            Access::SignedIn => "Any signed-in user.",
            Access::Member => {
                "A member of the business, limited to what their role and scope allow."
            }
            Access::Owner => "Owners of the business only.",
            Access::Admin => "Platform administrators only.",
        }
    }
}

pub fn document(docs: &[RouteDoc]) -> OpenApi {
    let mut paths = PathsBuilder::new();
    let mut tags: Vec<String> = Vec::new();
    for doc in docs {
        let Some(method) = http_method(&doc.method) else {
            continue;
        };
        let tag = tag_of(doc.path);
        if !tags.contains(&tag) {
            tags.push(tag.clone());
        }
        paths = paths.path(doc.path, PathItem::new(method, operation(doc, tag)));
    }
    tags.sort();
    OpenApiBuilder::new()
        .info(
            InfoBuilder::new()
                .title("wafunnel")
                .version(env!("CARGO_PKG_VERSION"))
                .description(Some(
                    "The HTTP API of wafunnel. Errors answer `{\"error\":{\"code\",\"message\"}}`; \
                     lists answer `{\"items\":[...],\"next_cursor\":string|null}`.",
                ))
                .build(),
        )
        .paths(paths.build())
        .tags(Some(tags.into_iter().map(Tag::new)))
        .components(Some(
            ComponentsBuilder::new()
                .schema("Error", error_schema())
                .security_scheme(
                    "session",
                    SecurityScheme::ApiKey(ApiKey::Cookie(ApiKeyValue::new(SESSION_COOKIE))),
                )
                .security_scheme(
                    "bearer",
                    SecurityScheme::Http(
                        HttpBuilder::new()
                            .scheme(HttpAuthScheme::Bearer)
                            .description(Some("An API token, or the session token"))
                            .build(),
                    ),
                )
                .build(),
        ))
        .build()
}

fn operation(doc: &RouteDoc, tag: String) -> utoipa::openapi::path::Operation {
    let access = Access::of(doc.extractors);
    let handler = doc
        .handler
        .strip_prefix("wafunnel::")
        .unwrap_or(doc.handler);
    let mut op = OperationBuilder::new()
        .tag(tag)
        .operation_id(Some(operation_id(&doc.method, doc.path)))
        .summary(Some(summary(handler, doc.path)))
        .description(Some(format!(
            "{} Handled by `{handler}`.",
            access.sentence()
        )))
        .response(
            "default",
            ResponseBuilder::new()
                .description("An error")
                .content(
                    "application/json",
                    ContentBuilder::new()
                        .schema(Some(Ref::from_schema_name("Error")))
                        .build(),
                )
                .build(),
        )
        .extensions(Some(
            ExtensionsBuilder::new()
                .add("x-access", access.code())
                .build(),
        ));
    for code in &doc.success {
        op = op.response(
            code.to_string(),
            ResponseBuilder::new()
                .description(success_text(*code))
                .build(),
        );
    }
    op = if access == Access::Public {
        op.securities(Some(Vec::<SecurityRequirement>::new()))
    } else {
        op.security(SecurityRequirement::new::<_, [&str; 0], &str>(
            "session",
            [],
        ))
        .security(SecurityRequirement::new::<_, [&str; 0], &str>("bearer", []))
    };
    for name in path_parameters(doc.path) {
        op = op.parameter(
            ParameterBuilder::new()
                .name(name)
                .parameter_in(ParameterIn::Path)
                .required(Required::True)
                .schema(Some(ObjectBuilder::new().schema_type(Type::String))),
        );
    }
    if let Some((media_type, type_name)) = request_body(doc) {
        op = op.request_body(Some(
            RequestBodyBuilder::new()
                .required(Some(Required::True))
                .description(type_name.map(|t| format!("`{t}`")))
                .content(media_type, ContentBuilder::new().build())
                .build(),
        ));
    }
    op.build()
}

fn success_text(code: u16) -> &'static str {
    match code {
        201 => "Created",
        202 => "Accepted: the work goes on after the answer",
        204 => "Done; no body",
        302 | 303 => "A redirect",
        _ => "Success",
    }
}

fn error_schema() -> ObjectBuilder {
    let text = || ObjectBuilder::new().schema_type(Type::String);
    ObjectBuilder::new()
        .schema_type(Type::Object)
        .required("error")
        .property(
            "error",
            ObjectBuilder::new()
                .schema_type(Type::Object)
                .property("code", text())
                .property("message", text())
                .required("code")
                .required("message"),
        )
}

fn http_method(method: &Method) -> Option<HttpMethod> {
    Some(match *method {
        Method::GET => HttpMethod::Get,
        Method::POST => HttpMethod::Post,
        Method::PUT => HttpMethod::Put,
        Method::PATCH => HttpMethod::Patch,
        Method::DELETE => HttpMethod::Delete,
        Method::HEAD => HttpMethod::Head,
        Method::OPTIONS => HttpMethod::Options,
        _ => return None,
    })
}

/// `/api/conversations/{id}/notes` is tagged `conversations`; `/webhooks/whatsapp`, `webhooks`.
pub fn tag_of(path: &str) -> String {
    let mut segments = path.trim_start_matches('/').split('/');
    let first = segments.next().unwrap_or_default();
    let tag = if first == "api" {
        segments.next().unwrap_or(first)
    } else {
        first
    };
    tag.trim_end_matches(".json").to_string()
}

pub fn operation_id(method: &Method, path: &str) -> String {
    let mut id = method.as_str().to_ascii_lowercase();
    for part in path.split(|c: char| !c.is_ascii_alphanumeric()) {
        if !part.is_empty() {
            id.push('_');
            id.push_str(part);
        }
    }
    id
}

/// `auth::sessions::end_others` reads "End others"; a one-word handler name
/// such as `create` is too vague alone, so the path's words follow it:
/// "Create (flows)".
fn summary(handler: &str, path: &str) -> String {
    let name = handler.rsplit("::").next().unwrap_or(handler);
    let mut words = name.replace('_', " ");
    if !name.contains('_') {
        let resource: Vec<&str> = path
            .split('/')
            .filter(|s| !s.is_empty() && *s != "api" && !s.starts_with('{'))
            .collect();
        words = format!("{words} ({})", resource.join(" ").replace(['-', '_'], " "));
    }
    let mut chars = words.chars();
    match chars.next() {
        Some(first) => first.to_uppercase().chain(chars).collect(),
        None => words,
    }
}

fn path_parameters(path: &str) -> Vec<&str> {
    path.split('{')
        .skip(1)
        .filter_map(|rest| rest.split_once('}').map(|(name, _)| name))
        .collect()
}

/// The body a handler reads, named by its extractor.
fn request_body(doc: &RouteDoc) -> Option<(&'static str, Option<String>)> {
    let ex = doc.extractors;
    let inner = |marker: &str| {
        ex.find(marker).map(|at| {
            let rest = &ex[at + marker.len()..];
            let mut depth = 1;
            let end = rest
                .char_indices()
                .find(|&(_, c)| {
                    match c {
                        '<' => depth += 1,
                        '>' => depth -= 1,
                        _ => {}
                    }
                    depth == 0
                })
                .map_or(rest.len(), |(i, _)| i);
            rest[..end]
                .rsplit("::")
                .next()
                .unwrap_or_default()
                .to_string()
        })
    };
    if let Some(t) = inner("types::json::Json<") {
        return Some(("application/json", Some(t)));
    }
    if let Some(t) = inner("types::form::Form<") {
        return Some(("application/x-www-form-urlencoded", Some(t)));
    }
    if ex.contains("Multipart") {
        return Some(("multipart/form-data", None));
    }
    if ex.contains("bytes::Bytes") || ex.contains("Payload") {
        let media = if doc.path.starts_with("/webhooks") {
            "application/json"
        } else {
            "application/octet-stream"
        };
        return Some((media, None));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_is_read_from_the_actor_the_handler_extracts() {
        let t = |args: &str| Access::of(args);
        assert_eq!(t("(wafunnel::auth::actor::Actor,)"), Access::SignedIn);
        assert_eq!(
            t("(actix_web::data::Data<wafunnel::http::AppState>, wafunnel::auth::actor::Actor)"),
            Access::SignedIn
        );
        assert_eq!(
            t("(wafunnel::auth::actor::MemberActor, Path<String>)"),
            Access::Member
        );
        assert_eq!(t("(wafunnel::auth::actor::OwnerActor,)"), Access::Owner);
        assert_eq!(t("(wafunnel::auth::actor::AdminActor,)"), Access::Admin);
        assert_eq!(
            t("(actix_web::HttpRequest, actix_web::web::Bytes)"),
            Access::Public
        );
        assert_eq!(t("(wafunnel::auth::actor::Actorish,)"), Access::Public);
    }

    #[test]
    fn tags_ids_and_summaries_come_from_the_path_and_handler() {
        assert_eq!(tag_of("/api/conversations/{id}/notes"), "conversations");
        assert_eq!(tag_of("/webhooks/whatsapp"), "webhooks");
        assert_eq!(tag_of("/api/openapi.json"), "openapi");
        assert_eq!(
            operation_id(&Method::DELETE, "/api/auth/sessions/{id}"),
            "delete_api_auth_sessions_id"
        );
        assert_eq!(summary("auth::sessions::end_others", "/x"), "End others");
        assert_eq!(
            summary("flows::routes::create", "/api/flows"),
            "Create (flows)"
        );
        assert_eq!(path_parameters("/a/{id}/b/{key}"), vec!["id", "key"]);
    }
}
