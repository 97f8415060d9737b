//! A route table that registers handlers with actix and remembers what it
//! registered, so tests can assert every route is covered (RBAC matrix, OpenAPI).
use std::collections::BTreeMap;

use actix_web::{http::Method, web, FromRequest, Handler, Responder};

/// The pattern a request matched, for metrics and logs without routing twice.
#[derive(Clone, Copy)]
pub struct RoutePattern(pub &'static str);

/// What the code says about one route, for the API description: the handler's
/// path names the operation and its extractors say who may call it.
#[derive(Debug, Clone)]
pub struct RouteDoc {
    pub method: Method,
    pub path: &'static str,
    pub handler: &'static str,
    pub extractors: &'static str,
    /// The statuses a success answers with (200 unless the route says otherwise).
    pub success: Vec<u16>,
}

#[derive(Default)]
pub struct Routes {
    resources: BTreeMap<&'static str, Vec<(Method, actix_web::Route)>>,
    docs: Vec<RouteDoc>,
}

impl Routes {
    pub fn add<F, Args>(&mut self, method: Method, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.docs.push(RouteDoc {
            method: method.clone(),
            path,
            handler: std::any::type_name::<F>(),
            extractors: std::any::type_name::<Args>(),
            success: vec![200],
        });
        // Every GET answers HEAD too (monitors and proxies probe that way);
        // actix leaves the body out of a HEAD answer.
        let route = if method == Method::GET {
            web::route()
                .guard(actix_web::guard::Any(actix_web::guard::Get()).or(actix_web::guard::Head()))
                .to(handler)
        } else {
            web::method(method.clone()).to(handler)
        };
        self.resources
            .entry(path)
            .or_default()
            .push((method, route));
        self
    }

    /// The success statuses of the route registered last, for the API
    /// description (the RBAC matrix checks them against real answers).
    pub fn answers(&mut self, statuses: &[u16]) -> &mut Self {
        if let Some(last) = self.docs.last_mut() {
            last.success = statuses.to_vec();
        }
        self
    }

    pub fn get<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::GET, path, handler)
    }

    pub fn post<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::POST, path, handler)
    }

    pub fn put<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::PUT, path, handler)
    }

    pub fn patch<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::PATCH, path, handler)
    }

    pub fn delete<F, Args>(&mut self, path: &'static str, handler: F) -> &mut Self
    where
        F: Handler<Args>,
        Args: FromRequest + 'static,
        F::Output: Responder + 'static,
    {
        self.add(Method::DELETE, path, handler)
    }

    pub fn table(&self) -> Vec<(String, String)> {
        let mut out: Vec<(String, String)> = self
            .resources
            .iter()
            .flat_map(|(path, routes)| {
                routes
                    .iter()
                    .map(|(m, _)| (m.to_string(), path.to_string()))
            })
            .collect();
        out.sort();
        out
    }

    pub fn docs(&self) -> &[RouteDoc] {
        &self.docs
    }

    /// One resource per path with all its methods, so an unsupported method on a
    /// known path answers 405 instead of falling through.
    /// Static paths are mounted first: actix tries resources in order, and a
    /// static path is a string compare while a templated one runs a regex.
    /// The webhooks come before all: they carry the traffic, and a hundred
    /// API paths compared ahead of them were a microsecond per delivery.
    pub fn mount(self, cfg: &mut web::ServiceConfig) {
        let (fixed, templated): (Vec<_>, Vec<_>) = self
            .resources
            .into_iter()
            .partition(|(path, _)| !path.contains('{'));
        let (webhooks, api): (Vec<_>, Vec<_>) = fixed
            .into_iter()
            .partition(|(path, _)| path.starts_with("/webhooks/"));
        for (path, routes) in webhooks.into_iter().chain(api).chain(templated) {
            let mut resource = web::resource(path).app_data(RoutePattern(path));
            for (_, route) in routes {
                resource = resource.route(route);
            }
            cfg.service(resource.default_service(web::to(super::parse::method_not_allowed)));
        }
    }
}
