//! The simulator's HTTP server: auth, Intercom-style rate limiting, fault injection, routing and handlers.

use std::net::SocketAddr;
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Duration;

use base64::Engine;
use bytes::Bytes;
use http::{header, HeaderValue, Method, Request, Response, StatusCode};
use http_body_util::{BodyExt, Full, Limited};
use hyper::body::Incoming;
use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::TokioIo;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;
use serde_json::{json, Value};
use tokio::net::TcpListener;
use tokio::time::Instant;

use super::data::{Workspace, REDACTED_BODY};
use super::export::{self, ExportJob};
use super::query;
use super::SimConfig;
use crate::intercom::httpdate;

/// Everything a running simulator holds.
#[derive(Debug)]
pub struct SimState {
    config: SimConfig,
    addr: SocketAddr,
    started: Instant,
    epoch: f64,
    workspace: Mutex<Workspace>,
    ledger: Mutex<Vec<Value>>,
    window: Mutex<(u64, u64)>,
    exports: Mutex<Vec<ExportJob>>,
    rng: Mutex<ChaCha8Rng>,
    counters: Mutex<Counters>,
}

/// Request counters, served at `GET /_sim/stats`.
#[derive(Debug, Clone, Copy, Default, serde::Serialize)]
pub struct Counters {
    /// API requests received (hooks excluded).
    pub requests: u64,
    /// 429 answers because the window budget was spent.
    pub rate_limited: u64,
    /// Injected faults.
    pub faults: u64,
    /// Requests that reached a handler.
    pub handled: u64,
    /// The most requests spent in one window.
    pub max_window_used: u64,
}

impl SimState {
    /// A fresh state for a simulator listening on `addr`.
    pub fn new(config: SimConfig, addr: SocketAddr) -> Self {
        let epoch = match config.epoch {
            Some(epoch) => epoch as f64,
            None => std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(1_780_000_000.0),
        };
        let workspace = Workspace::generate(config.seed, config.contacts, epoch as u64);
        let rng = ChaCha8Rng::seed_from_u64(config.seed ^ 0x5EED_FA17);
        Self {
            addr,
            started: Instant::now(),
            epoch,
            workspace: Mutex::new(workspace),
            ledger: Mutex::new(Vec::new()),
            window: Mutex::new((0, 0)),
            exports: Mutex::new(Vec::new()),
            rng: Mutex::new(rng),
            counters: Mutex::new(Counters::default()),
            config,
        }
    }

    /// The simulated Unix time, in seconds.
    pub fn now_secs(&self) -> f64 {
        self.epoch + Instant::now().duration_since(self.started).as_secs_f64()
    }

    /// The counters.
    pub fn counters(&self) -> Counters {
        *lock(&self.counters)
    }

    /// A copy of the workspace (for tests).
    pub fn workspace(&self) -> Workspace {
        lock(&self.workspace).clone()
    }

    /// The ledger of mutating requests.
    pub fn ledger(&self) -> Vec<Value> {
        lock(&self.ledger).clone()
    }

    fn base(&self) -> String {
        format!("http://{}", self.addr)
    }
}

fn lock<T>(mutex: &Mutex<T>) -> MutexGuard<'_, T> {
    mutex.lock().unwrap_or_else(|poisoned| poisoned.into_inner())
}

/// The connection is closed without a response (the `drop` faults).
#[derive(Debug)]
struct Dropped;

impl std::fmt::Display for Dropped {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("connection dropped by fault injection")
    }
}

impl std::error::Error for Dropped {}

/// Accepts connections until the task is aborted.
pub async fn accept_loop(listener: TcpListener, state: Arc<SimState>) {
    loop {
        let stream = match listener.accept().await {
            Ok((stream, _)) => stream,
            Err(_) => {
                tokio::time::sleep(Duration::from_millis(10)).await;
                continue;
            }
        };
        let _ = stream.set_nodelay(true);
        let state = state.clone();
        tokio::spawn(async move {
            let service = service_fn(move |req| {
                let state = state.clone();
                async move { handle(state, req).await }
            });
            let _ = http1::Builder::new().serve_connection(TokioIo::new(stream), service).await;
        });
    }
}

struct Reply {
    status: StatusCode,
    body: Bytes,
    content_type: &'static str,
    link: Option<String>,
}

fn reply(status: StatusCode, body: Value) -> Reply {
    Reply { status, body: Bytes::from(body.to_string()), content_type: "application/json", link: None }
}

fn ok(body: Value) -> Reply {
    reply(StatusCode::OK, body)
}

fn error(status: StatusCode, code: &str, message: &str) -> Reply {
    reply(
        status,
        json!({"type": "error.list", "request_id": request_id(), "errors": [{"code": code, "message": message}]}),
    )
}

fn request_id() -> String {
    let n = rand::thread_rng().gen::<u128>();
    let h = format!("{n:032x}");
    format!("{}-{}-4{}-a{}-{}", &h[0..8], &h[8..12], &h[13..16], &h[17..20], &h[20..32])
}

enum Fault {
    None,
    RateLimited,
    ServerError,
    Slow,
    Drop,
    DropAfterApply,
}

async fn handle(state: Arc<SimState>, req: Request<Incoming>) -> Result<Response<Full<Bytes>>, Dropped> {
    let (parts, body) = req.into_parts();
    let body = match Limited::new(body, 1 << 20).collect().await {
        Ok(collected) => collected.to_bytes(),
        Err(_) => Bytes::new(),
    };
    let path = parts.uri.path().to_owned();
    let query = parts.uri.query().unwrap_or("").to_owned();
    let method = parts.method.clone();
    let authorized = parts
        .headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.strip_prefix("Bearer ").is_some_and(|t| t == state.config.token));
    let accept_octet = parts
        .headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|v| v.contains("application/octet-stream"));

    if let Some(hook) = path.strip_prefix("/_sim/") {
        let reply = if !authorized {
            error(StatusCode::UNAUTHORIZED, "unauthorized", "Access Token Invalid")
        } else {
            sim_hook(&state, &method, hook, &body)
        };
        return Ok(finish(&state, reply, None));
    }

    lock(&state.counters).requests += 1;
    // Intercom spreads the per-minute limit evenly over fixed windows; unauthenticated calls spend nothing.
    let window_secs = state.config.rate_window_secs.max(1);
    let (remaining, index, over) = take_budget(&state, authorized);
    let limits = Some((remaining, (index + 1) * window_secs));
    if !authorized {
        let reply = error(StatusCode::UNAUTHORIZED, "unauthorized", "Access Token Invalid");
        return Ok(finish(&state, reply, limits));
    }
    if over {
        lock(&state.counters).rate_limited += 1;
        let reply = error(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", "Rate limit exceeded");
        return Ok(finish(&state, reply, limits));
    }
    let version = parts.headers.get("intercom-version").and_then(|v| v.to_str().ok());
    if let Some(version) = version {
        if !SUPPORTED_VERSIONS.contains(&version) {
            let reply =
                error(StatusCode::BAD_REQUEST, "intercom_version_invalid", "The requested version could not be found");
            return Ok(finish(&state, reply, limits));
        }
    }

    let fault = draw_fault(&state);
    if !matches!(fault, Fault::None) {
        lock(&state.counters).faults += 1;
    }
    let mutating = is_mutating(&method, &path);
    match fault {
        Fault::RateLimited => {
            let reply = error(StatusCode::TOO_MANY_REQUESTS, "rate_limit_exceeded", "Rate limit exceeded");
            return Ok(finish(&state, reply, Some((0, (index + 1) * window_secs))));
        }
        Fault::ServerError => {
            let reply = error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Internal server error");
            return Ok(finish(&state, reply, limits));
        }
        Fault::Drop => {
            if mutating {
                record(&state, &method, &path, 0, Some("drop"));
            }
            return Err(Dropped);
        }
        Fault::Slow => tokio::time::sleep(state.config.slow_delay).await,
        Fault::None | Fault::DropAfterApply => {}
    }

    lock(&state.counters).handled += 1;
    let reply = route(&state, &method, &path, &query, &body, accept_octet);
    if mutating {
        let fault_name = matches!(fault, Fault::DropAfterApply).then_some("drop-after-apply");
        record(&state, &method, &path, reply.status.as_u16(), fault_name);
    }
    if matches!(fault, Fault::DropAfterApply) {
        return Err(Dropped);
    }
    Ok(finish(&state, reply, limits))
}

/// The `Intercom-Version` values the 2.16 description lists.
const SUPPORTED_VERSIONS: &[&str] = &[
    "1.0", "1.1", "1.2", "1.3", "1.4", "2.0", "2.1", "2.2", "2.3", "2.4", "2.5", "2.6", "2.7", "2.8", "2.9", "2.10",
    "2.11", "2.12", "2.13", "2.14", "2.15", "2.16", "Unstable",
];

/// Spends one request of the current window (when `consume`); returns (remaining, window index, over limit).
fn take_budget(state: &SimState, consume: bool) -> (u64, u64, bool) {
    let window_secs = state.config.rate_window_secs.max(1);
    let quota = (state.config.rate_limit_per_min * window_secs / 60).max(1);
    let index = (state.now_secs() as u64) / window_secs;
    let mut window = lock(&state.window);
    if window.0 != index {
        *window = (index, 0);
    }
    if !consume {
        return (quota.saturating_sub(window.1), index, false);
    }
    if window.1 >= quota {
        return (0, index, true);
    }
    window.1 += 1;
    let used = window.1;
    drop(window);
    let mut counters = lock(&state.counters);
    counters.max_window_used = counters.max_window_used.max(used);
    (quota - used, index, false)
}

fn draw_fault(state: &SimState) -> Fault {
    let f = &state.config.faults;
    if f.rate_limited + f.server_error + f.slow + f.drop + f.drop_after_apply <= 0.0 {
        return Fault::None;
    }
    let roll: f64 = lock(&state.rng).gen();
    let mut edge = 0.0;
    for (p, fault) in [
        (f.rate_limited, Fault::RateLimited),
        (f.server_error, Fault::ServerError),
        (f.slow, Fault::Slow),
        (f.drop, Fault::Drop),
        (f.drop_after_apply, Fault::DropAfterApply),
    ] {
        edge += p;
        if roll < edge {
            return fault;
        }
    }
    Fault::None
}

fn is_mutating(method: &Method, path: &str) -> bool {
    match *method {
        Method::GET | Method::HEAD => false,
        Method::POST => !path.ends_with("/search"),
        _ => true,
    }
}

fn record(state: &SimState, method: &Method, path: &str, status: u16, fault: Option<&str>) {
    let mut entry = json!({"method": method.as_str(), "path": path, "status": status, "at": state.now_secs() as u64});
    if let Some(fault) = fault {
        entry["fault"] = Value::from(fault);
    }
    lock(&state.ledger).push(entry);
}

fn finish(state: &SimState, reply: Reply, limits: Option<(u64, u64)>) -> Response<Full<Bytes>> {
    let mut response = Response::new(Full::new(reply.body));
    *response.status_mut() = reply.status;
    let headers = response.headers_mut();
    headers.insert(header::CONTENT_TYPE, HeaderValue::from_static(reply.content_type));
    if let Ok(date) = HeaderValue::from_str(&httpdate::format(state.now_secs() as u64)) {
        headers.insert(header::DATE, date);
    }
    if let Some((remaining, reset)) = limits {
        headers.insert("x-ratelimit-limit", HeaderValue::from(state.config.rate_limit_per_min));
        headers.insert("x-ratelimit-remaining", HeaderValue::from(remaining));
        headers.insert("x-ratelimit-reset", HeaderValue::from(reset));
    }
    if let Some(link) = reply.link.and_then(|l| HeaderValue::from_str(&l).ok()) {
        headers.insert(header::LINK, link);
    }
    response
}

fn sim_hook(state: &SimState, method: &Method, hook: &str, body: &[u8]) -> Reply {
    match (method, hook) {
        (&Method::GET, "ledger") => ok(Value::Array(state.ledger())),
        (&Method::GET, "stats") => ok(serde_json::to_value(state.counters()).unwrap_or(Value::Null)),
        (&Method::POST, "reset") => {
            let seed = serde_json::from_slice::<Value>(body)
                .ok()
                .and_then(|v| v.get("seed").and_then(Value::as_u64))
                .unwrap_or(state.config.seed);
            *lock(&state.workspace) = Workspace::generate(seed, state.config.contacts, state.now_secs() as u64);
            lock(&state.ledger).clear();
            lock(&state.exports).clear();
            *lock(&state.window) = (0, 0);
            *lock(&state.counters) = Counters::default();
            ok(json!({"reset": true, "seed": seed}))
        }
        _ => error(StatusCode::NOT_FOUND, "not_found", "Unknown simulator hook"),
    }
}

fn route(state: &SimState, method: &Method, path: &str, query: &str, body: &[u8], accept_octet: bool) -> Reply {
    let segments: Vec<&str> = path.trim_matches('/').split('/').collect();
    let params = parse_query(query);
    let json_body = || serde_json::from_slice::<Value>(body).unwrap_or(Value::Null);
    match (method.clone(), segments.as_slice()) {
        (Method::GET, ["me"]) => ok(lock(&state.workspace).admin.clone()),
        (Method::GET, ["contacts"]) => list_contacts(state, &params),
        (Method::POST, ["contacts", "search"]) => search_contacts(state, &json_body()),
        (Method::GET, ["contacts", id]) => {
            with_contact(state, id, "Contact Not Found", |ws| ws.render_contact(id).map(ok).unwrap_or_else(not_found))
        }
        (Method::DELETE, ["contacts", id]) => {
            with_contact(state, id, "Contact Not Found", |ws| match ws.delete_contact(id) {
                Some(c) => ok(json!({"type": "contact", "id": id, "external_id": c["external_id"], "deleted": true})),
                None => not_found(),
            })
        }
        (Method::POST, ["contacts", id, "archive"]) => with_contact(state, id, "Contact Not Found", |ws| {
            ws.archived.insert(id.to_string());
            let external_id = ws.contacts[*id]["external_id"].clone();
            ok(json!({"type": "contact", "id": id, "external_id": external_id, "archived": true}))
        }),
        (Method::GET, ["contacts", id, what]) => {
            with_contact(state, id, "User Not Found", |ws| contact_sub(ws, id, what, &params))
        }
        (Method::POST, ["conversations", "search"]) => search_conversations(state, &json_body()),
        (Method::GET, ["conversations", id]) => {
            let ws = lock(&state.workspace);
            match id.parse::<u64>().ok().and_then(|n| ws.conversations.get(&n)) {
                Some(c) => ok(full_conversation(c)),
                None => error(StatusCode::NOT_FOUND, "not_found", "Resource Not Found"),
            }
        }
        (Method::DELETE, ["conversations", id]) => {
            let mut ws = lock(&state.workspace);
            match id.parse::<u64>().ok().and_then(|n| ws.conversations.remove(&n)) {
                Some(_) => ok(json!({"id": id, "object": "conversation", "deleted": true})),
                None => error(StatusCode::NOT_FOUND, "not_found", "Resource Not Found"),
            }
        }
        (Method::POST, ["conversations", "redact"]) => redact(state, &json_body()),
        (Method::POST, ["tickets", "search"]) => search_tickets(state, &json_body()),
        (Method::GET, ["tickets", id]) => {
            let ws = lock(&state.workspace);
            match id.parse::<u64>().ok().and_then(|n| ws.tickets.get(&n)) {
                Some((t, _)) => ok(t.clone()),
                None => error(StatusCode::NOT_FOUND, "ticket_not_found", "Ticket not found"),
            }
        }
        (Method::GET, ["events"]) => events(state, &params),
        (Method::POST, ["export", "content", "data"]) => create_export(state, &json_body()),
        (Method::GET, ["export", "content", "data", job]) => export_status(state, job, false),
        (Method::POST, ["export", "cancel", job]) => export_status(state, job, true),
        (Method::GET, ["download", "content", "data", job]) => download(state, job, accept_octet),
        _ => error(StatusCode::NOT_FOUND, "not_found", "Resource Not Found"),
    }
}

fn not_found() -> Reply {
    error(StatusCode::NOT_FOUND, "not_found", "Contact Not Found")
}

fn with_contact(state: &SimState, id: &str, missing: &str, f: impl FnOnce(&mut Workspace) -> Reply) -> Reply {
    let mut ws = lock(&state.workspace);
    if let Some(canonical) = ws.merged.get(id) {
        let mut r = error(
            StatusCode::GONE,
            "contact_merged",
            "This contact has been merged. See the 'Link' header for the canonical contact.",
        );
        r.link = Some(format!("</contacts/{canonical}>; rel=\"canonical\""));
        return r;
    }
    if !ws.contacts.contains_key(id) {
        return error(StatusCode::NOT_FOUND, "not_found", missing);
    }
    f(&mut ws)
}

fn parse_query(query: &str) -> Vec<(String, String)> {
    query
        .split('&')
        .filter(|p| !p.is_empty())
        .map(|pair| {
            let (k, v) = pair.split_once('=').unwrap_or((pair, ""));
            (percent_decode(k), percent_decode(v))
        })
        .collect()
}

fn param<'a>(params: &'a [(String, String)], key: &str) -> Option<&'a str> {
    params.iter().find(|(k, _)| k == key).map(|(_, v)| v.as_str())
}

fn percent_decode(raw: &str) -> String {
    let bytes = raw.as_bytes();
    let mut out = Vec::with_capacity(bytes.len());
    let mut i = 0;
    while i < bytes.len() {
        match bytes[i] {
            b'%' if i + 2 < bytes.len() => {
                let hex = |b: u8| (b as char).to_digit(16);
                match (hex(bytes[i + 1]), hex(bytes[i + 2])) {
                    (Some(hi), Some(lo)) => {
                        out.push((hi * 16 + lo) as u8);
                        i += 3;
                    }
                    _ => {
                        out.push(b'%');
                        i += 1;
                    }
                }
            }
            b'+' => {
                out.push(b' ');
                i += 1;
            }
            b => {
                out.push(b);
                i += 1;
            }
        }
    }
    String::from_utf8_lossy(&out).into_owned()
}

fn per_page(raw: Option<u64>, default: u64) -> u64 {
    raw.unwrap_or(default).clamp(1, 150)
}

fn encode_cursor(text: &str) -> String {
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(text)
}

fn decode_cursor(cursor: &str) -> Option<String> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD.decode(cursor).ok()?;
    String::from_utf8(bytes).ok()
}

fn cursor_pages(page: u64, per_page: u64, total: u64, next: Option<String>) -> Value {
    let total_pages = total.div_ceil(per_page).max(1);
    let mut pages = json!({"type": "pages", "page": page, "per_page": per_page, "total_pages": total_pages});
    if let Some(next) = next {
        pages["next"] = json!({"per_page": per_page, "starting_after": next});
    }
    pages
}

fn list_contacts(state: &SimState, params: &[(String, String)]) -> Reply {
    let ws = lock(&state.workspace);
    let per_page = per_page(param(params, "per_page").and_then(|v| v.parse().ok()), 50);
    let listed: Vec<&String> = ws.contact_order.iter().filter(|id| ws.is_listed(id)).collect();
    // The cursor names the last id returned, so deletes between pages skip nothing.
    let (start, page) = match param(params, "starting_after").and_then(decode_cursor) {
        Some(cursor) => {
            let (last, page) = cursor.rsplit_once('|').unwrap_or((&cursor, "1"));
            let position = ws.contact_order.iter().position(|id| id == last).unwrap_or(usize::MAX);
            let start =
                listed.iter().position(|id| ws.contact_order.iter().position(|o| o == *id).unwrap_or(0) > position);
            (start.unwrap_or(listed.len()), page.parse::<u64>().unwrap_or(1) + 1)
        }
        None => (0, 1),
    };
    let slice: Vec<&String> = listed.iter().skip(start).take(per_page as usize).copied().collect();
    let next = (start + slice.len() < listed.len())
        .then(|| slice.last().map(|last| encode_cursor(&format!("{last}|{page}"))))
        .flatten();
    let data: Vec<Value> = slice.iter().filter_map(|id| ws.render_contact(id)).collect();
    ok(json!({"type": "list", "data": data, "total_count": listed.len(),
              "pages": cursor_pages(page, per_page, listed.len() as u64, next)}))
}

struct SearchParams {
    query: query::SimQuery,
    per_page: u64,
    offset: usize,
    sort_field: String,
    ascending: bool,
}

fn parse_search(body: &Value, default_per_page: u64) -> Result<SearchParams, Reply> {
    let invalid = |m: &str| error(StatusCode::BAD_REQUEST, "parameter_invalid", m);
    let query = body.get("query").ok_or_else(|| invalid("query is required"))?;
    let query = query::parse(query).map_err(|m| invalid(&m))?;
    let pagination = body.get("pagination");
    let per_page = per_page(pagination.and_then(|p| p.get("per_page")).and_then(Value::as_u64), default_per_page);
    let offset = pagination
        .and_then(|p| p.get("starting_after"))
        .and_then(Value::as_str)
        .and_then(decode_cursor)
        .and_then(|c| c.strip_prefix("o:").and_then(|o| o.parse().ok()))
        .unwrap_or(0);
    let (sort_field, ascending) = match body.get("sort") {
        Some(sort) => {
            let ascending = match sort.get("order").and_then(Value::as_str).unwrap_or("descending") {
                "ascending" => true,
                "descending" => false,
                _ => {
                    return Err(error(
                        StatusCode::BAD_REQUEST,
                        "invalid_sort_order",
                        "Sort order must be ascending or descending",
                    ))
                }
            };
            (sort.get("field").and_then(Value::as_str).unwrap_or("created_at").to_owned(), ascending)
        }
        None => ("created_at".to_owned(), false),
    };
    Ok(SearchParams { query, per_page, offset, sort_field, ascending })
}

fn run_search(params: &SearchParams, mut docs: Vec<(Value, Value)>) -> (Vec<Value>, u64, Value) {
    docs.retain(|(doc, _)| query::matches(&params.query, doc));
    docs.sort_by(|(a, _), (b, _)| {
        let key =
            |v: &Value| (v[&params.sort_field].as_f64().unwrap_or(0.0), v["id"].as_str().unwrap_or("").to_owned());
        let ordering = key(a).partial_cmp(&key(b)).unwrap_or(std::cmp::Ordering::Equal);
        if params.ascending {
            ordering
        } else {
            ordering.reverse()
        }
    });
    let total = docs.len() as u64;
    let end = (params.offset + params.per_page as usize).min(docs.len());
    let page = params.offset as u64 / params.per_page + 1;
    let next = (end < docs.len()).then(|| encode_cursor(&format!("o:{end}")));
    let items = docs.into_iter().skip(params.offset).take(params.per_page as usize).map(|(_, item)| item).collect();
    (items, total, cursor_pages(page, params.per_page, total, next))
}

fn search_contacts(state: &SimState, body: &Value) -> Reply {
    let params = match parse_search(body, 50) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = lock(&state.workspace);
    let docs: Vec<(Value, Value)> = ws
        .contact_order
        .iter()
        .filter(|id| ws.is_listed(id))
        .filter_map(|id| Some((ws.contact_search_doc(id)?, ws.render_contact(id)?)))
        .collect();
    let (data, total, pages) = run_search(&params, docs);
    ok(json!({"type": "list", "data": data, "total_count": total, "pages": pages}))
}

fn search_conversations(state: &SimState, body: &Value) -> Reply {
    let params = match parse_search(body, 20) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = lock(&state.workspace);
    let docs = ws
        .conversations
        .values()
        .map(|c| {
            let mut doc = c.item.clone();
            doc["contact_ids"] = c.contact_ids.clone().into();
            doc["teammate_ids"] = json!(["991267"]);
            (doc, c.item.clone())
        })
        .collect();
    let (items, total, pages) = run_search(&params, docs);
    ok(json!({"type": "conversation.list", "conversations": items, "total_count": total, "pages": pages}))
}

fn search_tickets(state: &SimState, body: &Value) -> Reply {
    let params = match parse_search(body, 20) {
        Ok(p) => p,
        Err(r) => return r,
    };
    let ws = lock(&state.workspace);
    let docs = ws
        .tickets
        .values()
        .map(|(t, contacts)| {
            let mut doc = t.clone();
            doc["contact_ids"] = contacts.clone().into();
            doc["state"] = t["ticket_state"]["category"].clone();
            doc["title"] = t["ticket_attributes"]["_default_title_"].clone();
            (doc, t.clone())
        })
        .collect();
    let (items, total, pages) = run_search(&params, docs);
    ok(json!({"type": "ticket.list", "tickets": items, "total_count": total, "pages": pages}))
}

fn full_conversation(c: &super::data::SimConversation) -> Value {
    let mut value = c.item.clone();
    let skip = c.parts.len().saturating_sub(crate::intercom::models::MAX_RETURNED_PARTS);
    value["conversation_parts"] = json!({
        "type": "conversation_part.list",
        "conversation_parts": c.parts[skip..].to_vec(),
        "total_count": c.parts.len(),
    });
    value
}

fn contact_sub(ws: &Workspace, id: &str, what: &str, params: &[(String, String)]) -> Reply {
    let page = param(params, "page").and_then(|p| p.parse::<u64>().ok()).unwrap_or(1).max(1);
    let per_page = per_page(param(params, "per_page").and_then(|p| p.parse().ok()), 10);
    let paged = |items: Vec<Value>| {
        let total = items.len() as u64;
        let total_pages = total.div_ceil(per_page).max(1);
        let slice: Vec<Value> =
            items.into_iter().skip(((page - 1) * per_page) as usize).take(per_page as usize).collect();
        (slice, total, total_pages)
    };
    match what {
        "tags" => {
            let data: Vec<Value> = ws
                .contact_tags
                .get(id)
                .into_iter()
                .flatten()
                .map(|(t, at)| {
                    let mut tag = ws.tags[*t].clone();
                    tag["applied_at"] = Value::from(*at);
                    tag["applied_by"] = json!({"type": "admin", "id": "991267"});
                    tag
                })
                .collect();
            ok(json!({"type": "list", "data": data}))
        }
        "segments" => {
            let data: Vec<Value> =
                ws.contact_segments.get(id).into_iter().flatten().map(|s| ws.segments[*s].clone()).collect();
            ok(json!({"type": "list", "data": data}))
        }
        "subscriptions" => {
            let data: Vec<Value> = ws
                .subscriptions
                .get(id)
                .into_iter()
                .flatten()
                .map(|(s, consent)| {
                    let mut sub = ws.subscription_types[*s].clone();
                    sub["consent_type"] = Value::from(*consent);
                    sub
                })
                .collect();
            ok(json!({"type": "list", "data": data}))
        }
        "companies" => {
            let items = ws.contact_companies.get(id).into_iter().flatten().map(|c| ws.companies[*c].clone()).collect();
            let (slice, total, total_pages) = paged(items);
            let next =
                (page < total_pages).then(|| format!("/contacts/{id}/companies?page={}&per_page={per_page}", page + 1));
            ok(json!({"type": "list", "companies": slice, "total_count": total,
                      "pages": {"type": "pages", "page": page, "per_page": per_page, "total_pages": total_pages, "next": next}}))
        }
        "notes" => {
            let items = ws.notes.get(id).cloned().unwrap_or_default();
            let (slice, total, total_pages) = paged(items);
            ok(json!({"type": "list", "data": slice, "total_count": total,
                      "pages": {"type": "pages", "page": page, "per_page": per_page, "total_pages": total_pages}}))
        }
        _ => error(StatusCode::NOT_FOUND, "not_found", "Resource Not Found"),
    }
}

fn redact(state: &SimState, body: &Value) -> Reply {
    let invalid = |m: &str| error(StatusCode::BAD_REQUEST, "parameter_invalid", m);
    let id_of = |key: &str| match body.get(key) {
        Some(Value::String(s)) => Some(s.clone()),
        Some(Value::Number(n)) => Some(n.to_string()),
        _ => None,
    };
    let Some(conversation_id) = id_of("conversation_id").and_then(|c| c.parse::<u64>().ok()) else {
        return invalid("conversation_id is required");
    };
    let mut ws = lock(&state.workspace);
    let Some(conversation) = ws.conversations.get_mut(&conversation_id) else {
        return error(StatusCode::NOT_FOUND, "conversation_not_found", "Conversation not found");
    };
    let not_redactable = || {
        error(
            StatusCode::BAD_REQUEST,
            "conversation_part_not_redactable",
            "Conversation part or source can not be redacted",
        )
    };
    match body.get("type").and_then(Value::as_str) {
        Some("conversation_part") => {
            let Some(part_id) = id_of("conversation_part_id") else {
                return invalid("conversation_part_id is required");
            };
            let Some(part) = conversation.parts.iter_mut().find(|p| p["id"] == part_id.as_str()) else {
                return error(StatusCode::NOT_FOUND, "not_found", "Resource Not Found");
            };
            if part["body"].is_null() {
                return not_redactable();
            }
            part["body"] = Value::from(REDACTED_BODY);
            part["redacted"] = Value::from(true);
        }
        Some("source") => {
            let source = &mut conversation.item["source"];
            if id_of("source_id").as_deref() != source["id"].as_str() {
                return error(StatusCode::NOT_FOUND, "not_found", "Resource Not Found");
            }
            if !matches!(source["author"]["type"].as_str(), Some("user" | "lead" | "contact")) {
                return not_redactable();
            }
            source["body"] = Value::from(REDACTED_BODY);
            source["redacted"] = Value::from(true);
        }
        _ => return invalid("type must be conversation_part or source"),
    }
    ok(full_conversation(conversation))
}

fn events(state: &SimState, params: &[(String, String)]) -> Reply {
    let invalid = |m: &str| error(StatusCode::BAD_REQUEST, "parameter_invalid", m);
    if param(params, "type") != Some("user") {
        return invalid("type must be user");
    }
    let filter = ["user_id", "email", "intercom_user_id"]
        .iter()
        .find_map(|key| param(params, key).map(|v| (*key, v.to_owned())));
    let Some((key, wanted)) = filter else {
        return invalid("one of user_id, email or intercom_user_id is required");
    };
    let ws = lock(&state.workspace);
    let now = state.now_secs() as u64;
    let matching: Vec<&super::data::SimEvent> =
        ws.events.iter().filter(|e| e.value[key].as_str() == Some(wanted.as_str())).collect();
    if param(params, "summary") == Some("true") {
        let mut names: Vec<&str> = matching.iter().filter_map(|e| e.value["event_name"].as_str()).collect();
        names.sort_unstable();
        names.dedup();
        let events: Vec<Value> = names
            .iter()
            .map(|name| {
                let of: Vec<u64> =
                    matching.iter().filter(|e| e.value["event_name"] == *name).map(|e| e.created_at).collect();
                let first = of.iter().min().copied().unwrap_or(0);
                let last = of.iter().max().copied().unwrap_or(0);
                json!({"name": name, "first": httpdate::iso8601(first), "last": httpdate::iso8601(last),
                       "count": of.len(), "description": ""})
            })
            .collect();
        let first = matching.first().map(|e| e.value.clone()).unwrap_or(Value::Null);
        let mut summary = json!({"type": "event.summary", "events": events});
        for field in ["email", "intercom_user_id", "user_id"] {
            if let Some(v) = first.get(field).and_then(Value::as_str) {
                summary[field] = Value::from(v);
            }
        }
        return ok(summary);
    }
    // Only events from the last 90 days can be listed.
    let recent: Vec<&Value> = matching.iter().filter(|e| e.created_at + 90 * 86_400 > now).map(|e| &e.value).collect();
    let per_page = per_page(param(params, "per_page").and_then(|p| p.parse().ok()), 50);
    let offset: usize = param(params, "before")
        .and_then(decode_cursor)
        .and_then(|c| c.strip_prefix("o:").and_then(|o| o.parse().ok()))
        .unwrap_or(0);
    let end = (offset + per_page as usize).min(recent.len());
    let page: Vec<Value> = recent.iter().skip(offset).take(per_page as usize).map(|v| (*v).clone()).collect();
    let mut body = json!({"type": "event.list", "events": page});
    if end < recent.len() {
        let next = format!(
            "{}/events?type=user&{key}={}&per_page={per_page}&before={}",
            state.base(),
            crate::intercom::client::percent_encode(&wanted),
            encode_cursor(&format!("o:{end}"))
        );
        body["pages"] = json!({"next": next});
    }
    ok(body)
}

fn create_export(state: &SimState, body: &Value) -> Reply {
    let (Some(after), Some(before)) =
        (body.get("created_at_after").and_then(Value::as_u64), body.get("created_at_before").and_then(Value::as_u64))
    else {
        return error(
            StatusCode::BAD_REQUEST,
            "parameter_invalid",
            "created_at_after and created_at_before are required",
        );
    };
    if after > before {
        return error(
            StatusCode::BAD_REQUEST,
            "parameter_invalid",
            "created_at_after must be before created_at_before",
        );
    }
    let now = Instant::now();
    let mut jobs = lock(&state.exports);
    let active = jobs.iter().any(|j| {
        matches!(
            export::status(j, now, state.config.export_delay, state.config.export_expiry),
            Some("pending" | "in_progress")
        )
    });
    if active {
        return error(
            StatusCode::TOO_MANY_REQUESTS,
            "rate_limit_exceeded",
            "Exceeded rate limit of 1 pending message data export jobs",
        );
    }
    let rows = export::select(&lock(&state.workspace).stats, after, before).len();
    let id = format!("{:x}{:04}", state.config.seed.wrapping_mul(0x9E37_79B9) & 0xFFFF_FFFF, jobs.len() + 1);
    let job = ExportJob { id, created: now, after, before, canceled: false, rows };
    let value = export::job_json(&job, "pending", &state.base(), 0, state.config.export_expiry);
    jobs.push(job);
    ok(value)
}

fn export_status(state: &SimState, job_id: &str, cancel: bool) -> Reply {
    let now = Instant::now();
    let mut jobs = lock(&state.exports);
    let Some(job) = jobs.iter_mut().find(|j| j.id == job_id) else {
        return error(StatusCode::NOT_FOUND, "job_not_found", "Job not found");
    };
    let (delay, expiry) = (state.config.export_delay, state.config.export_expiry);
    let Some(mut status) = export::status(job, now, delay, expiry) else {
        return error(StatusCode::NOT_FOUND, "job_not_found", "Job not found");
    };
    if cancel && matches!(status, "pending" | "in_progress") {
        job.canceled = true;
        status = "canceled";
    }
    let finished = state.now_secs() as u64 - now.saturating_duration_since(job.created).saturating_sub(delay).as_secs();
    ok(export::job_json(job, status, &state.base(), finished, expiry))
}

fn download(state: &SimState, job_id: &str, accept_octet: bool) -> Reply {
    if !accept_octet {
        return error(StatusCode::NOT_ACCEPTABLE, "parameter_invalid", "Send Accept: application/octet-stream");
    }
    let now = Instant::now();
    let jobs = lock(&state.exports);
    let job = jobs.iter().find(|j| j.id == job_id);
    let ready = job.is_some_and(|j| {
        export::status(j, now, state.config.export_delay, state.config.export_expiry) == Some("completed")
    });
    let Some(job) = job.filter(|_| ready) else {
        return error(StatusCode::NOT_FOUND, "job_not_found", "Job not found or not completed");
    };
    let ws = lock(&state.workspace);
    match export::gzipped_csv(&export::select(&ws.stats, job.after, job.before)) {
        Ok(bytes) => Reply {
            status: StatusCode::OK,
            body: Bytes::from(bytes),
            content_type: "application/octet-stream",
            link: None,
        },
        Err(_) => error(StatusCode::INTERNAL_SERVER_ERROR, "server_error", "Export could not be written"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test(start_paused = true)]
    async fn the_per_minute_limit_is_spread_over_ten_second_windows() {
        let config =
            SimConfig { rate_limit_per_min: 60, contacts: 1, epoch: Some(1_780_000_000), ..SimConfig::default() };
        let state = SimState::new(config, SocketAddr::from(([127, 0, 0, 1], 9)));
        let mut last = (0, 0, false);
        for _ in 0..10 {
            last = take_budget(&state, true);
            assert!(!last.2);
        }
        assert_eq!(last.0, 0, "60/min is 10 per 10-second window");
        assert!(take_budget(&state, true).2, "the 11th request of the window is refused");
        let (remaining, _, over) = take_budget(&state, false);
        assert_eq!((remaining, over), (0, false), "peeking spends nothing");
        tokio::time::advance(Duration::from_secs(10)).await;
        let (remaining, index, over) = take_budget(&state, true);
        assert_eq!((remaining, index, over), (9, last.1 + 1, false), "a new window starts with a fresh budget");
        assert_eq!(state.counters().max_window_used, 10);
    }
}
