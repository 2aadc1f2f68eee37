//! The admin server: health, Prometheus metrics, rule reload and inspection, behind scoped bearer tokens.
//!
//! Routes live in a table ([`Route`]): a method, a path pattern, the scope it needs and an async handler.
//! Later compliance endpoints mount under `/admin/v1/` by adding routes (see [`AdminRoutes`]).
//! [`Router::handle`] takes a plain [`AdminRequest`], so tests call it without a port; [`serve`] is the
//! hyper glue. Every call is logged with its method, route pattern, status and token name, never the
//! token and never the raw path or query (they may hold personal data).

pub mod auth;
pub mod compliance;

use std::future::Future;
use std::net::SocketAddr;
use std::pin::Pin;
use std::sync::atomic::Ordering;
use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper_util::rt::TokioIo;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::admin::auth::{AuthOutcome, Caller, Scope, TokenSet};
use crate::proxy::filter::FilterHandle;
use crate::proxy::metrics::Metrics;

/// A request as the router sees it.
#[derive(Debug, Clone)]
pub struct AdminRequest {
    pub method: Method,
    pub path: String,
    pub query: String,
    /// The raw `Authorization` header value.
    pub authorization: Option<Vec<u8>>,
    pub body: Bytes,
}

/// A response as the router returns it.
#[derive(Debug, Clone)]
pub struct AdminResponse {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
}

/// What a handler receives.
#[derive(Debug, Clone)]
pub struct AdminCall {
    pub method: Method,
    pub path: String,
    pub query: String,
    /// Values of the `{name}` segments of the pattern.
    pub params: Vec<(String, String)>,
    pub body: Bytes,
    /// The token's name and scope; `None` on public routes.
    pub caller: Option<Caller>,
}

/// A boxed handler future: status and JSON (or text) body.
pub type HandlerFuture = Pin<Box<dyn Future<Output = (StatusCode, Bytes)> + Send>>;
/// A route handler.
pub type Handler = Arc<dyn Fn(AdminCall) -> HandlerFuture + Send + Sync>;

/// One row of the route table.
#[derive(Clone)]
pub struct Route {
    pub method: Method,
    pub pattern: PathPattern,
    /// `None` = public (no token needed).
    pub scope: Option<Scope>,
    pub handler: Handler,
    /// Response content type.
    pub content_type: &'static str,
}

/// Something that contributes routes (e.g. the compliance endpoints).
pub trait AdminRoutes {
    fn routes(&self) -> Vec<Route>;
}

/// A path like `/admin/v1/subjects/{id}/erase`; `{name}` matches one non-empty segment.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PathPattern {
    text: String,
    segments: Vec<Segment>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Segment {
    Literal(String),
    Param(String),
}

/// The admin router: the route table plus the tokens.
#[derive(Clone)]
pub struct Router {
    routes: Arc<Vec<Route>>,
    tokens: TokenSet,
    observer: Option<CallObserver>,
}

/// One finished admin call, as logged (and, once the audit log exists, audited): no token, no raw path.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CallRecord {
    pub method: Method,
    /// The route pattern, e.g. `/admin/v1/subjects/{id}/erase`, or `(none)` when nothing matched.
    pub route: String,
    pub status: StatusCode,
    /// The token's name, `(none)` without a valid token, `(public)` on public routes.
    pub token_name: String,
}

/// Called after every admin call (the hook for the audit log of issue [4/7]).
pub type CallObserver = Arc<dyn Fn(&CallRecord) + Send + Sync>;

/// What the built-in routes read.
pub struct AdminState {
    pub metrics: Arc<Metrics>,
    pub filter: Arc<FilterHandle>,
    pub tokens: TokenSet,
    pub public_metrics: bool,
    /// Called before `/metrics` renders, to refresh gauges.
    pub refresh: Option<Arc<dyn Fn() + Send + Sync>>,
}

/// Largest accepted request body.
pub const MAX_BODY_BYTES: usize = 1024 * 1024;

impl PathPattern {
    pub fn new(text: &str) -> PathPattern {
        let segments = text
            .trim_matches('/')
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| match s.strip_prefix('{').and_then(|s| s.strip_suffix('}')) {
                Some(name) => Segment::Param(name.to_string()),
                None => Segment::Literal(s.to_string()),
            })
            .collect();
        PathPattern { text: text.to_string(), segments }
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// The parameters when `path` matches.
    pub fn matches(&self, path: &str) -> Option<Vec<(String, String)>> {
        let parts: Vec<&str> = path.trim_matches('/').split('/').filter(|s| !s.is_empty()).collect();
        if parts.len() != self.segments.len() {
            return None;
        }
        let mut params = Vec::new();
        for (segment, part) in self.segments.iter().zip(parts) {
            match segment {
                Segment::Literal(l) if l == part => {}
                Segment::Literal(_) => return None,
                Segment::Param(name) => params.push((name.clone(), part.to_string())),
            }
        }
        Some(params)
    }
}

/// Wraps a plain async function `(method, path, query, body) -> (status, body)` as a handler.
pub fn handler_fn<F, Fut>(f: F) -> Handler
where
    F: Fn(Method, String, String, Bytes) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = (StatusCode, Bytes)> + Send + 'static,
{
    Arc::new(move |call: AdminCall| Box::pin(f(call.method, call.path, call.query, call.body)))
}

/// Wraps an async function of the whole [`AdminCall`] as a handler.
pub fn call_handler<F, Fut>(f: F) -> Handler
where
    F: Fn(AdminCall) -> Fut + Send + Sync + 'static,
    Fut: Future<Output = (StatusCode, Bytes)> + Send + 'static,
{
    Arc::new(move |call: AdminCall| Box::pin(f(call)))
}

impl Route {
    /// A JSON route.
    pub fn new(method: Method, pattern: &str, scope: Option<Scope>, handler: Handler) -> Route {
        Route { method, pattern: PathPattern::new(pattern), scope, handler, content_type: "application/json" }
    }
}

fn json(value: serde_json::Value) -> Bytes {
    Bytes::from(value.to_string())
}

/// The built-in routes: `/healthz`, `/metrics`, `/admin/v1/rules`, `/admin/v1/rules/reload`.
pub fn builtin_routes(state: Arc<AdminState>) -> Vec<Route> {
    let mut routes = Vec::new();
    routes.push(Route::new(
        Method::GET,
        "/healthz",
        None,
        call_handler(|_| async { (StatusCode::OK, json(serde_json::json!({"status": "ok"}))) }),
    ));
    let s = state.clone();
    let mut metrics = Route::new(
        Method::GET,
        "/metrics",
        match state.public_metrics {
            true => None,
            false => Some(Scope::Read),
        },
        call_handler(move |_| {
            let s = s.clone();
            async move {
                if let Some(refresh) = &s.refresh {
                    refresh();
                }
                let (ok, failed) = s.filter.reload_counts();
                s.metrics.rules_reloads_ok.store(ok, Ordering::Relaxed);
                s.metrics.rules_reloads_failed.store(failed, Ordering::Relaxed);
                s.metrics.rules_generation.store(s.filter.generation(), Ordering::Relaxed);
                (StatusCode::OK, Bytes::from(s.metrics.render()))
            }
        }),
    );
    metrics.content_type = "text/plain; version=0.0.4";
    routes.push(metrics);
    let s = state.clone();
    routes.push(Route::new(
        Method::GET,
        "/admin/v1/rules",
        Some(Scope::Read),
        call_handler(move |_| {
            let s = s.clone();
            async move {
                let source = s.filter.current();
                let body = serde_json::json!({
                    "generation": s.filter.generation(),
                    "entities": source.entity_names(),
                    "rules": source.explain(),
                });
                (StatusCode::OK, json(body))
            }
        }),
    ));
    let s = state;
    routes.push(Route::new(
        Method::POST,
        "/admin/v1/rules/reload",
        Some(Scope::Operate),
        call_handler(move |_| {
            let s = s.clone();
            async move {
                let filter = s.filter.clone();
                match tokio::task::spawn_blocking(move || filter.reload()).await {
                    Ok(Ok(generation)) => {
                        (StatusCode::OK, json(serde_json::json!({"reloaded": true, "generation": generation})))
                    }
                    Ok(Err(error)) => {
                        tracing::warn!(message = "Rule reload refused; the old rules stay.", %error);
                        (
                            StatusCode::UNPROCESSABLE_ENTITY,
                            json(serde_json::json!({"reloaded": false, "error": error.to_string()})),
                        )
                    }
                    Err(_) => (
                        StatusCode::INTERNAL_SERVER_ERROR,
                        json(serde_json::json!({"reloaded": false, "error": "the reload task failed"})),
                    ),
                }
            }
        }),
    ));
    routes
}

/// Builds the router from the built-in routes plus `extra` (e.g. compliance endpoints).
pub fn router(state: Arc<AdminState>, extra: Vec<Route>) -> Router {
    let tokens = state.tokens.clone();
    let mut routes = builtin_routes(state);
    routes.extend(extra);
    Router { routes: Arc::new(routes), tokens, observer: None }
}

fn error_body(status: StatusCode, message: &str) -> AdminResponse {
    AdminResponse { status, content_type: "application/json", body: json(serde_json::json!({"error": message})) }
}

impl Router {
    /// Calls `observer` after every call (e.g. to write an audit entry).
    pub fn with_observer(mut self, observer: CallObserver) -> Router {
        self.observer = Some(observer);
        self
    }

    fn record(&self, method: &Method, route: &str, status: StatusCode, token_name: &str) {
        tracing::info!(message = "Admin call.", %method, route, status = status.as_u16(), caller = token_name);
        if let Some(observer) = &self.observer {
            observer(&CallRecord {
                method: method.clone(),
                route: route.to_string(),
                status,
                token_name: token_name.to_string(),
            });
        }
    }

    /// Routes one request: 404 / 405, then 401 / 403 by scope, then the handler.
    pub async fn handle(&self, request: AdminRequest) -> AdminResponse {
        let mut path_matched = false;
        let mut found = None;
        for route in self.routes.iter() {
            if let Some(params) = route.pattern.matches(&request.path) {
                path_matched = true;
                if route.method == request.method {
                    found = Some((route, params));
                    break;
                }
            }
        }
        let Some((route, params)) = found else {
            let response = match path_matched {
                true => error_body(StatusCode::METHOD_NOT_ALLOWED, "method not allowed"),
                false => error_body(StatusCode::NOT_FOUND, "no such endpoint; see the admin API in the README"),
            };
            self.record(&request.method, "(none)", response.status, "(none)");
            return response;
        };
        let caller = match route.scope {
            None => None,
            Some(required) => match self.tokens.check(request.authorization.as_deref(), required) {
                AuthOutcome::Allowed(c) => Some(c),
                AuthOutcome::Unauthenticated => {
                    self.record(&request.method, route.pattern.as_str(), StatusCode::UNAUTHORIZED, "(none)");
                    return error_body(StatusCode::UNAUTHORIZED, "a valid bearer token is required");
                }
                AuthOutcome::Forbidden(c) => {
                    self.record(&request.method, route.pattern.as_str(), StatusCode::FORBIDDEN, &c.name);
                    return error_body(
                        StatusCode::FORBIDDEN,
                        &format!("this endpoint needs the `{}` scope", required.as_str()),
                    );
                }
            },
        };
        let token_name = caller.as_ref().map_or("(public)".to_string(), |c| c.name.clone());
        let call = AdminCall {
            method: request.method.clone(),
            path: request.path,
            query: request.query,
            params,
            body: request.body,
            caller,
        };
        let (status, body) = (route.handler)(call).await;
        self.record(&request.method, route.pattern.as_str(), status, &token_name);
        AdminResponse { status, content_type: route.content_type, body }
    }
}

/// Binds the admin listener.
pub async fn bind(addr: SocketAddr) -> std::io::Result<TcpListener> {
    TcpListener::bind(addr).await
}

/// Serves HTTP/1 on `listener` until `shutdown`.
pub async fn serve(listener: TcpListener, router: Router, shutdown: CancellationToken) {
    loop {
        let accepted = tokio::select! {
            _ = shutdown.cancelled() => break,
            r = listener.accept() => r,
        };
        let (stream, _) = match accepted {
            Ok(a) => a,
            Err(error) => {
                tracing::warn!(message = "Admin accept failed.", %error);
                tokio::time::sleep(std::time::Duration::from_millis(50)).await;
                continue;
            }
        };
        let router = router.clone();
        tokio::spawn(async move {
            let service = hyper::service::service_fn(move |req: hyper::Request<Incoming>| {
                let router = router.clone();
                async move { Ok::<_, std::convert::Infallible>(to_hyper(&router, req).await) }
            });
            let _ = hyper::server::conn::http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

async fn to_hyper(router: &Router, req: hyper::Request<Incoming>) -> hyper::Response<Full<Bytes>> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, MAX_BODY_BYTES).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => {
            return build(error_body(StatusCode::PAYLOAD_TOO_LARGE, "the request body is too large or was cut off"))
        }
    };
    let request = AdminRequest {
        method: parts.method,
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        authorization: parts.headers.get(http::header::AUTHORIZATION).map(|v| v.as_bytes().to_vec()),
        body,
    };
    build(router.handle(request).await)
}

fn build(response: AdminResponse) -> hyper::Response<Full<Bytes>> {
    let mut builder =
        hyper::Response::builder().status(response.status).header(http::header::CONTENT_TYPE, response.content_type);
    if response.status == StatusCode::UNAUTHORIZED {
        builder = builder.header(http::header::WWW_AUTHENTICATE, "Bearer");
    }
    match builder.body(Full::new(response.body)) {
        Ok(r) => r,
        Err(_) => hyper::Response::new(Full::new(Bytes::from_static(b"{\"error\":\"internal\"}"))),
    }
}
