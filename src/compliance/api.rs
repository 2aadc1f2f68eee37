//! The compliance routes of the admin API (`/admin/v1/requests...`, `/admin/v1/audit/...`) as plain functions.
//!
//! [`handle`] answers a request or returns `None` when the path is not one of these routes; [`required_scope`]
//! says which scope a route needs. The admin server authenticates, checks the scope, then calls `handle`.
//! Database work runs on the blocking pool. Error bodies are `{"error": "..."}` and never echo request values.

use std::sync::Arc;

use bytes::Bytes;
use http::{Method, StatusCode};

use crate::audit::entry::Actor;
use crate::audit::{export, verify};
use crate::calendar::CivilDate;
use crate::compliance::deadlines::{ExtensionError, Regime, RequestKind};
use crate::compliance::requests::{self, LedgerConfig, Manner, NewRequest, RequestError};
use crate::compliance::subject::{SubjectId, SubjectKind};
use crate::keys::Keys;
use crate::store::{RequestOutcome, Store, StoreError};

/// What a caller may do: read state, operate (record and change requests), administer.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Scope {
    Read,
    Operate,
    Admin,
}

/// A response to send.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct ApiResponse {
    pub status: StatusCode,
    pub content_type: &'static str,
    pub body: Bytes,
}

/// Where today's date comes from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Clock {
    /// The system clock (UTC).
    System,
    /// A fixed date, for tests.
    Fixed(CivilDate),
}

/// What the compliance routes need.
#[derive(Clone)]
pub struct ComplianceCtx {
    pub store: Arc<Store>,
    pub keys: Arc<Keys>,
    pub config: LedgerConfig,
    pub clock: Clock,
}

const JSON: &str = "application/json";

/// The scope a compliance route needs, or `None` when the path is not a compliance route.
pub fn required_scope(method: &Method, path: &str) -> Option<Scope> {
    let route = Route::parse(path)?;
    Some(match (route, *method == Method::GET) {
        (Route::Requests | Route::Request(_) | Route::Verify | Route::Export, true) => Scope::Read,
        _ => Scope::Operate,
    })
}

/// Answers a compliance route, or `None` when `path` is not one. Audit entries name the actor `admin-api`.
pub async fn handle(
    ctx: &ComplianceCtx,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: Bytes,
) -> Option<ApiResponse> {
    handle_as(ctx, Actor::AdminApi(None), method, path, query, body).await
}

/// Like [`handle`], with the actor the audit entries record (e.g. `Actor::AdminApi(Some(token_id))`).
pub async fn handle_as(
    ctx: &ComplianceCtx,
    actor: Actor,
    method: &Method,
    path: &str,
    query: Option<&str>,
    body: Bytes,
) -> Option<ApiResponse> {
    let route = Route::parse(path)?;
    let allowed = match route {
        Route::Requests => method == Method::GET || method == Method::POST,
        Route::Request(_) | Route::Verify | Route::Export => method == Method::GET,
        Route::Extend(_) | Route::Close(_) => method == Method::POST,
    };
    if !allowed {
        return Some(error(StatusCode::METHOD_NOT_ALLOWED, "method not allowed on this route"));
    }
    let ctx = ctx.clone();
    let method = method.clone();
    let query = query.map(str::to_owned);
    let joined =
        tokio::task::spawn_blocking(move || dispatch(&ctx, actor, &method, route, query.as_deref(), &body)).await;
    Some(match joined {
        Ok(response) => response,
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log"),
    })
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Route {
    Requests,
    Request(i64),
    Extend(i64),
    Close(i64),
    Verify,
    Export,
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/admin/v1/")?;
        let parts: Vec<&str> = rest.trim_end_matches('/').split('/').collect();
        match parts.as_slice() {
            ["requests"] => Some(Route::Requests),
            ["requests", id] => Some(Route::Request(parse_id(id))),
            ["requests", id, "extend"] => Some(Route::Extend(parse_id(id))),
            ["requests", id, "close"] => Some(Route::Close(parse_id(id))),
            ["audit", "verify"] => Some(Route::Verify),
            ["audit", "export"] => Some(Route::Export),
            _ => None,
        }
    }
}

/// Ids that are not positive numbers map to 0, which never exists (answered 404 after validation).
fn parse_id(text: &str) -> i64 {
    text.parse::<i64>().ok().filter(|id| *id > 0).unwrap_or(0)
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CreateBody {
    kind: String,
    regime: String,
    email: Option<String>,
    external_id: Option<String>,
    contact_id: Option<String>,
    received_date: Option<String>,
    manner: Option<String>,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct ExtendBody {
    reason: String,
}

#[derive(serde::Deserialize)]
#[serde(deny_unknown_fields)]
struct CloseBody {
    outcome: String,
    basis: String,
}

fn dispatch(
    ctx: &ComplianceCtx,
    actor: Actor,
    method: &Method,
    route: Route,
    query: Option<&str>,
    body: &[u8],
) -> ApiResponse {
    let today = match ctx.clock {
        Clock::System => CivilDate::today_utc(),
        Clock::Fixed(date) => date,
    };
    let result = match route {
        Route::Requests if *method == Method::POST => create(ctx, body, actor, today),
        Route::Requests => {
            let overdue = match param(query, "overdue") {
                None | Some("false") | Some("0") => false,
                Some("true") | Some("1") => true,
                Some(_) => return error(StatusCode::BAD_REQUEST, "overdue must be true or false"),
            };
            requests::list(&ctx.store, overdue, today).map(|list| json(StatusCode::OK, &list))
        }
        Route::Request(id) => requests::get(&ctx.store, id, today).map(|r| json(StatusCode::OK, &r)),
        Route::Extend(id) => match parse_body::<ExtendBody>(body, "{\"reason\": \"...\"}") {
            Err(response) => return response,
            Ok(b) => {
                requests::extend(&ctx.store, &ctx.config, id, &b.reason, actor, today).map(|r| json(StatusCode::OK, &r))
            }
        },
        Route::Close(id) => {
            let b = match parse_body::<CloseBody>(body, "{\"outcome\": \"fulfilled|denied\", \"basis\": \"...\"}") {
                Err(response) => return response,
                Ok(b) => b,
            };
            let outcome = match b.outcome.as_str() {
                "fulfilled" => RequestOutcome::Fulfilled,
                "denied" => RequestOutcome::Denied,
                _ => return error(StatusCode::BAD_REQUEST, "outcome must be fulfilled or denied"),
            };
            requests::close(&ctx.store, &ctx.config, id, outcome, &b.basis, actor, today)
                .map(|r| json(StatusCode::OK, &r))
        }
        Route::Verify => {
            return match verify::verify(&ctx.store, &ctx.keys.public_key(), &[]) {
                Ok(report) => json(StatusCode::OK, &report),
                Err(e) => store_error(&e),
            }
        }
        Route::Export => return export_route(ctx, query),
    };
    result.unwrap_or_else(|e| request_error(&e))
}

fn create(ctx: &ComplianceCtx, body: &[u8], actor: Actor, today: CivilDate) -> Result<ApiResponse, RequestError> {
    let shape = "{\"kind\", \"regime\", one of \"email\"/\"external_id\"/\"contact_id\", optional \"received_date\", \"manner\"}";
    let b = match parse_body::<CreateBody>(body, shape) {
        Err(response) => return Ok(response),
        Ok(b) => b,
    };
    let Ok(kind) = b.kind.parse::<RequestKind>() else {
        return Ok(error(StatusCode::BAD_REQUEST, "kind must be access, erasure, rectification or opt-out"));
    };
    let Ok(regime) = b.regime.parse::<Regime>() else {
        return Ok(error(StatusCode::BAD_REQUEST, "regime must be gdpr, uk-gdpr or ccpa"));
    };
    let subject = match (b.email, b.external_id, b.contact_id) {
        (Some(v), None, None) => SubjectId::parse(SubjectKind::Email, &v),
        (None, Some(v), None) => SubjectId::parse(SubjectKind::ExternalId, &v),
        (None, None, Some(v)) => SubjectId::parse(SubjectKind::ContactId, &v),
        _ => return Ok(error(StatusCode::BAD_REQUEST, "give exactly one of email, external_id or contact_id")),
    };
    let subject = match subject {
        Ok(s) => s,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, &e.to_string())),
    };
    let received = match b.received_date.as_deref().map(str::parse::<CivilDate>).transpose() {
        Ok(r) => r,
        Err(e) => return Ok(error(StatusCode::BAD_REQUEST, &format!("received_date: {e}"))),
    };
    let manner = Manner::new(b.manner.as_deref().unwrap_or("admin-api"))?;
    let new = NewRequest { kind, regime, subject, received, manner };
    requests::create(&ctx.store, &ctx.keys, &ctx.config, new, actor, today).map(|r| json(StatusCode::CREATED, &r))
}

fn export_route(ctx: &ComplianceCtx, query: Option<&str>) -> ApiResponse {
    let format = match param(query, "format").unwrap_or("jsonl").parse::<export::Format>() {
        Ok(f) => f,
        Err(e) => return error(StatusCode::BAD_REQUEST, &e.to_string()),
    };
    let since = match param(query, "since").map(str::parse::<CivilDate>).transpose() {
        Ok(s) => s,
        Err(e) => return error(StatusCode::BAD_REQUEST, &format!("since: {e}")),
    };
    let mut out = Vec::new();
    match export::export(&ctx.store, format, since, &mut out) {
        Ok(_) => ApiResponse { status: StatusCode::OK, content_type: format.content_type(), body: Bytes::from(out) },
        Err(export::ExportError::Store(e)) => store_error(&e),
        Err(export::ExportError::Io(_)) => {
            error(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log")
        }
    }
}

fn param<'a>(query: Option<&'a str>, name: &str) -> Option<&'a str> {
    query?
        .split('&')
        .filter_map(|pair| pair.split_once('=').or(Some((pair, ""))))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

fn parse_body<T: serde::de::DeserializeOwned>(body: &[u8], shape: &str) -> Result<T, ApiResponse> {
    serde_json::from_slice(body).map_err(|e| {
        // serde's own message can quote the offending value, which may be personal data: give only the place.
        error(
            StatusCode::BAD_REQUEST,
            &format!(
                "the body is not valid JSON for this route (line {}, column {}); send {shape}",
                e.line(),
                e.column()
            ),
        )
    })
}

fn json<T: serde::Serialize>(status: StatusCode, value: &T) -> ApiResponse {
    match serde_json::to_vec(value) {
        Ok(body) => ApiResponse { status, content_type: JSON, body: Bytes::from(body) },
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "internal error; see the server log"),
    }
}

fn error(status: StatusCode, message: &str) -> ApiResponse {
    let body = serde_json::json!({ "error": message }).to_string();
    ApiResponse { status, content_type: JSON, body: Bytes::from(body) }
}

fn request_error(e: &RequestError) -> ApiResponse {
    let status = match e {
        RequestError::NotFound(_) => StatusCode::NOT_FOUND,
        RequestError::AlreadyClosed(_) => StatusCode::CONFLICT,
        RequestError::Extension(ExtensionError::NoReason) => StatusCode::BAD_REQUEST,
        RequestError::Extension(_) => StatusCode::CONFLICT,
        RequestError::Invalid(_) | RequestError::ReceivedInFuture(_) => StatusCode::BAD_REQUEST,
        RequestError::Unseal(_) => StatusCode::INTERNAL_SERVER_ERROR,
        RequestError::Store(inner) => return store_error(inner),
    };
    error(status, &e.to_string())
}

fn store_error(e: &StoreError) -> ApiResponse {
    match e {
        StoreError::Conflict => error(StatusCode::CONFLICT, &e.to_string()),
        StoreError::NotFound => error(StatusCode::NOT_FOUND, "no such record"),
        other => {
            tracing::error!(error = %other, "compliance state error");
            error(
                StatusCode::INTERNAL_SERVER_ERROR,
                "internal error: the compliance state could not be read or written; see the server log",
            )
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::Value;

    fn ctx(dir: &std::path::Path) -> ComplianceCtx {
        ComplianceCtx {
            store: Arc::new(Store::open(dir).unwrap()),
            keys: Arc::new(Keys::from_parts([1; 32], &[&[2; 32]]).unwrap()),
            config: LedgerConfig::default(),
            clock: Clock::Fixed("2024-03-10".parse().unwrap()),
        }
    }

    async fn call(
        ctx: &ComplianceCtx,
        method: Method,
        path: &str,
        query: Option<&str>,
        body: &str,
    ) -> (StatusCode, Value) {
        let response = handle(ctx, &method, path, query, Bytes::from(body.to_owned())).await.unwrap();
        let value = if response.content_type == JSON {
            serde_json::from_slice(&response.body).unwrap()
        } else {
            Value::String(String::from_utf8(response.body.to_vec()).unwrap())
        };
        (response.status, value)
    }

    #[tokio::test]
    async fn request_lifecycle_over_the_routes() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        let body = r#"{"kind":"erasure","regime":"gdpr","email":"Jane@Example.com","received_date":"2024-01-31"}"#;
        let (status, created) = call(&ctx, Method::POST, "/admin/v1/requests", None, body).await;
        assert_eq!(status, StatusCode::CREATED, "{created}");
        assert_eq!(created["due_date"], "2024-02-29");
        assert_eq!(created["status"], "open");
        assert_eq!(created["manner"], "admin-api");
        assert!(!created.to_string().to_lowercase().contains("jane"));
        let id = created["id"].as_i64().unwrap();
        let ccpa = r#"{"kind":"access","regime":"ccpa","contact_id":"6a1b","received_date":"2024-03-08"}"#;
        let (status, second) = call(&ctx, Method::POST, "/admin/v1/requests", None, ccpa).await;
        assert_eq!(status, StatusCode::CREATED);
        assert_eq!(second["ack_due_date"], "2024-03-22");
        assert_eq!(second["due_date"], "2024-04-22");

        let (status, list) = call(&ctx, Method::GET, "/admin/v1/requests", None, "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(list.as_array().unwrap().len(), 2);
        let (_, overdue) = call(&ctx, Method::GET, "/admin/v1/requests", Some("overdue=true"), "").await;
        assert_eq!(overdue.as_array().unwrap().len(), 1);
        assert_eq!(overdue[0]["id"], id);

        let path = format!("/admin/v1/requests/{id}");
        let (status, shown) = call(&ctx, Method::GET, &path, None, "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(shown["overdue"], true);

        // Too late to extend the first one: 409 with the reason.
        let (status, refused) =
            call(&ctx, Method::POST, &format!("{path}/extend"), None, r#"{"reason":"volume"}"#).await;
        assert_eq!(status, StatusCode::CONFLICT);
        assert!(refused["error"].as_str().unwrap().contains("too late"));
        let second_path = format!("/admin/v1/requests/{}", second["id"]);
        let (status, extended) =
            call(&ctx, Method::POST, &format!("{second_path}/extend"), None, r#"{"reason":"volume"}"#).await;
        assert_eq!(status, StatusCode::OK, "{extended}");
        assert_eq!(extended["due_date"], "2024-06-06");

        let close = r#"{"outcome":"fulfilled","basis":"erased in Intercom and logs"}"#;
        let (status, closed) = call(&ctx, Method::POST, &format!("{path}/close"), None, close).await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(closed["status"], "closed");
        assert_eq!(closed["subject_sealed"], false);
        let (status, _) = call(&ctx, Method::POST, &format!("{path}/close"), None, close).await;
        assert_eq!(status, StatusCode::CONFLICT);

        let (status, report) = call(&ctx, Method::GET, "/admin/v1/audit/verify", None, "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(report["ok"], true);
        assert_eq!(report["entries"], 4);

        let (status, csv) =
            call(&ctx, Method::GET, "/admin/v1/audit/export", Some("format=csv&since=2020-01-01"), "").await;
        assert_eq!(status, StatusCode::OK);
        assert_eq!(csv.as_str().unwrap().lines().count(), 5);
        let response = handle(&ctx, &Method::GET, "/admin/v1/audit/export", None, Bytes::new()).await.unwrap();
        assert_eq!(response.content_type, "application/x-ndjson");
        assert_eq!(response.body.iter().filter(|b| **b == b'\n').count(), 4);
    }

    #[tokio::test]
    async fn bad_input_is_a_400_with_a_clear_message_that_echoes_nothing() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        let cases = [
            ("{", "not valid JSON"),
            (r#"{"kind":"erasure","regime":"gdpr"}"#, "exactly one of email"),
            (r#"{"kind":"erasure","regime":"gdpr","email":"a@b.co","contact_id":"x"}"#, "exactly one"),
            (r#"{"kind":"delete","regime":"gdpr","email":"a@b.co"}"#, "kind must be"),
            (r#"{"kind":"erasure","regime":"hipaa","email":"a@b.co"}"#, "regime must be"),
            (r#"{"kind":"erasure","regime":"gdpr","email":"secret-person"}"#, "email address is not valid"),
            (r#"{"kind":"erasure","regime":"gdpr","email":"a@b.co","received_date":"31/01/2024"}"#, "YYYY-MM-DD"),
            (r#"{"kind":"erasure","regime":"gdpr","email":"a@b.co","received_date":"2030-01-01"}"#, "future"),
            (r#"{"kind":"erasure","regime":"gdpr","email":"a@b.co","manner":"By Phone"}"#, "manner"),
            (r#"{"kind":"erasure","regime":"gdpr","email":"a@b.co","nickname":"secret-person"}"#, "not valid JSON"),
            (r#"{"kind":"erasure","regime":"gdpr","email":["secret-person"]}"#, "not valid JSON"),
        ];
        for (body, expected) in cases {
            let (status, value) = call(&ctx, Method::POST, "/admin/v1/requests", None, body).await;
            assert_eq!(status, StatusCode::BAD_REQUEST, "{body}");
            let message = value["error"].as_str().unwrap();
            assert!(message.contains(expected), "{body}: {message}");
            assert!(!message.contains("secret-person"), "{message}");
        }
        let (status, _) = call(&ctx, Method::GET, "/admin/v1/requests", Some("overdue=maybe"), "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = call(&ctx, Method::GET, "/admin/v1/audit/export", Some("format=xml"), "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = call(&ctx, Method::GET, "/admin/v1/audit/export", Some("since=yesterday"), "").await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = call(&ctx, Method::GET, "/admin/v1/requests/42", None, "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) = call(&ctx, Method::GET, "/admin/v1/requests/abc", None, "").await;
        assert_eq!(status, StatusCode::NOT_FOUND);
        let (status, _) =
            call(&ctx, Method::POST, "/admin/v1/requests/1/close", None, r#"{"outcome":"maybe","basis":"x"}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = call(&ctx, Method::POST, "/admin/v1/requests/1/extend", None, r#"{}"#).await;
        assert_eq!(status, StatusCode::BAD_REQUEST);
        let (status, _) = call(&ctx, Method::DELETE, "/admin/v1/requests", None, "").await;
        assert_eq!(status, StatusCode::METHOD_NOT_ALLOWED);
    }

    #[tokio::test]
    async fn routes_and_scopes() {
        let dir = tempfile::tempdir().unwrap();
        let ctx = ctx(dir.path());
        assert!(handle(&ctx, &Method::GET, "/admin/v1/status", None, Bytes::new()).await.is_none());
        let token = crate::audit::entry::SafeId::new("ops-token-1").unwrap();
        let body = Bytes::from_static(br#"{"kind":"access","regime":"gdpr","email":"a@b.co"}"#);
        let response = handle_as(&ctx, Actor::AdminApi(Some(token)), &Method::POST, "/admin/v1/requests", None, body)
            .await
            .unwrap();
        assert_eq!(response.status, StatusCode::CREATED);
        let mut actors = Vec::new();
        ctx.store
            .scan_audit(None, &mut |r| {
                actors.push(r.actor);
                true
            })
            .unwrap();
        assert_eq!(actors, vec!["admin-api:ops-token-1"]);
        assert!(handle(&ctx, &Method::GET, "/metrics", None, Bytes::new()).await.is_none());
        let table = [
            (Method::POST, "/admin/v1/requests", Some(Scope::Operate)),
            (Method::GET, "/admin/v1/requests", Some(Scope::Read)),
            (Method::GET, "/admin/v1/requests/7", Some(Scope::Read)),
            (Method::POST, "/admin/v1/requests/7/extend", Some(Scope::Operate)),
            (Method::POST, "/admin/v1/requests/7/close", Some(Scope::Operate)),
            (Method::GET, "/admin/v1/audit/verify", Some(Scope::Read)),
            (Method::GET, "/admin/v1/audit/export", Some(Scope::Read)),
            (Method::GET, "/admin/v1/other", None),
            (Method::GET, "/admin/v2/requests", None),
        ];
        for (method, path, scope) in table {
            assert_eq!(required_scope(&method, path), scope, "{method} {path}");
        }
        assert!(Scope::Admin > Scope::Operate && Scope::Operate > Scope::Read);
    }
}
