//! The typed async Intercom client: one HTTP stack (hyper + rustls), retries, rate-limit pacing and the operations.

use std::future::Future;
use std::marker::PhantomData;
use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use http::{header, HeaderMap, HeaderValue, Method, Request, StatusCode};
use http_body_util::{BodyExt, Full};
use hyper::body::Incoming;
use hyper_util::client::legacy::connect::HttpConnector;
use hyper_util::rt::TokioExecutor;
use rand::Rng;
use serde::de::DeserializeOwned;
use serde_json::{json, Value};
use tokio::time::Instant;

use super::config::ClientConfig;
use super::error::{canonical_id_from_link, ApiErrorList, IntercomError};
use super::httpdate;
use super::models::*;
use super::ratelimit::{RateLimitHeaders, RateLimiter};
use super::search::SearchRequest;

type Connector = hyper_rustls::HttpsConnector<HttpConnector>;
type HttpClient = hyper_util::client::legacy::Client<Connector, Full<Bytes>>;

/// The Intercom client. Cheap to clone; clones share the connection pool and the rate limiter.
#[derive(Clone)]
pub struct Client {
    inner: Arc<Inner>,
}

struct Inner {
    http: HttpClient,
    config: ClientConfig,
    base: String,
    limiter: Arc<RateLimiter>,
}

impl std::fmt::Debug for Client {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Client").field("base", &self.inner.base).finish_non_exhaustive()
    }
}

impl Client {
    /// A client with its own rate limiter.
    pub fn new(config: ClientConfig) -> Result<Self, IntercomError> {
        let limiter = Arc::new(RateLimiter::new(config.rate_limit_share));
        Self::with_limiter(config, limiter)
    }

    /// A client sharing `limiter` with the other clients of the same workspace.
    pub fn with_limiter(config: ClientConfig, limiter: Arc<RateLimiter>) -> Result<Self, IntercomError> {
        let connector = hyper_rustls::HttpsConnectorBuilder::new()
            .with_provider_and_webpki_roots(rustls::crypto::ring::default_provider())
            .map_err(|_| IntercomError::Transport { operation: "client setup", reason: "tls setup failed".to_owned() })?
            .https_or_http()
            .enable_http1()
            .build();
        let http = hyper_util::client::legacy::Client::builder(TokioExecutor::new())
            .pool_max_idle_per_host(128)
            .pool_idle_timeout(Duration::from_secs(30))
            .build(connector);
        let base = config.effective_base_url().to_owned();
        Ok(Self { inner: Arc::new(Inner { http, config, base, limiter }) })
    }

    /// The shared rate limiter.
    pub fn limiter(&self) -> &Arc<RateLimiter> {
        &self.inner.limiter
    }

    /// The configuration.
    pub fn config(&self) -> &ClientConfig {
        &self.inner.config
    }

    // ---- admins ----

    /// `GET /me`: the token's admin and workspace.
    pub async fn me(&self) -> Result<Me, IntercomError> {
        self.get_json("me", "/me".to_owned()).await
    }

    // ---- contacts ----

    /// `GET /contacts/{id}`; a merged contact is `Gone` with the canonical id.
    pub async fn retrieve_contact(&self, id: &ContactId) -> Result<Contact, IntercomError> {
        let value: Value = self.get_json("contacts.retrieve", format!("/contacts/{id}")).await?;
        contact_from_value("contacts.retrieve", value)
    }

    /// `POST /contacts/search`, paged by the cursor in the body.
    pub fn search_contacts(&self, request: SearchRequest) -> Result<CursorPager<ContactList>, IntercomError> {
        self.search_pager("contacts.search", "/contacts/search", request)
    }

    /// `GET /contacts`, paged by `starting_after` in the query string.
    pub fn list_contacts(&self, per_page: Option<u32>) -> CursorPager<ContactList> {
        CursorPager::new(self.clone(), "contacts.list", PagerKind::Get { path: "/contacts".to_owned(), per_page })
    }

    /// `DELETE /contacts/{id}`: the permanent (GDPR) delete.
    pub async fn delete_contact(&self, id: &ContactId) -> Result<ContactDeleted, IntercomError> {
        let call = Call::mutating("contacts.delete", Method::DELETE, format!("/contacts/{id}"), None);
        self.json(call).await
    }

    /// `POST /contacts/{id}/archive`: the soft delete (not erasure).
    pub async fn archive_contact(&self, id: &ContactId) -> Result<ContactArchived, IntercomError> {
        let call = Call::mutating("contacts.archive", Method::POST, format!("/contacts/{id}/archive"), None);
        self.json(call).await
    }

    /// `GET /contacts/{id}/tags`.
    pub async fn contact_tags(&self, id: &ContactId) -> Result<Vec<Tag>, IntercomError> {
        let list: DataList<Tag> = self.get_json("contacts.tags", format!("/contacts/{id}/tags")).await?;
        Ok(list.data)
    }

    /// `GET /contacts/{id}/segments`.
    pub async fn contact_segments(&self, id: &ContactId) -> Result<Vec<Segment>, IntercomError> {
        let list: DataList<Segment> = self.get_json("contacts.segments", format!("/contacts/{id}/segments")).await?;
        Ok(list.data)
    }

    /// `GET /contacts/{id}/subscriptions` (explicit opt-ins and opt-outs only).
    pub async fn contact_subscriptions(&self, id: &ContactId) -> Result<Vec<Subscription>, IntercomError> {
        let list: DataList<Subscription> =
            self.get_json("contacts.subscriptions", format!("/contacts/{id}/subscriptions")).await?;
        Ok(list.data)
    }

    /// `GET /contacts/{id}/companies`, paged by page number.
    pub fn contact_companies(&self, id: &ContactId, per_page: Option<u32>) -> NumberedPager<CompanyList> {
        NumberedPager::new(self.clone(), "contacts.companies", format!("/contacts/{id}/companies"), per_page)
    }

    /// `GET /contacts/{id}/notes`, paged by page number.
    pub fn contact_notes(&self, id: &ContactId, per_page: Option<u32>) -> NumberedPager<NoteList> {
        NumberedPager::new(self.clone(), "contacts.notes", format!("/contacts/{id}/notes"), per_page)
    }

    // ---- conversations ----

    /// `POST /conversations/search` (e.g. `contact_ids = <id>`); results carry no parts.
    pub fn search_conversations(&self, request: SearchRequest) -> Result<CursorPager<ConversationList>, IntercomError> {
        self.search_pager("conversations.search", "/conversations/search", request)
    }

    /// `GET /conversations/{id}` with at most the 500 most recent parts (see [`Conversation::parts_truncated`]).
    pub async fn retrieve_conversation(&self, id: &ConversationId) -> Result<Conversation, IntercomError> {
        let value: Value = self.get_json("conversations.retrieve", format!("/conversations/{id}")).await?;
        conversation_from_value("conversations.retrieve", value)
    }

    /// `DELETE /conversations/{id}?retain_metrics=`.
    pub async fn delete_conversation(
        &self,
        id: &ConversationId,
        retain_metrics: bool,
    ) -> Result<ConversationDeleted, IntercomError> {
        let path = format!("/conversations/{id}?retain_metrics={retain_metrics}");
        self.json(Call::mutating("conversations.delete", Method::DELETE, path, None)).await
    }

    /// `POST /conversations/redact`: replaces a part's (or the source's) body.
    pub async fn redact(
        &self,
        conversation: &ConversationId,
        target: &RedactTarget,
    ) -> Result<Conversation, IntercomError> {
        let body = match target {
            RedactTarget::Part(part) => json!({
                "type": "conversation_part", "conversation_id": conversation.as_str(), "conversation_part_id": part.as_str()
            }),
            RedactTarget::Source(source) => json!({
                "type": "source", "conversation_id": conversation.as_str(), "source_id": source
            }),
        };
        let call = Call::mutating("conversations.redact", Method::POST, "/conversations/redact".to_owned(), Some(body));
        let value: Value = self.json(call).await?;
        conversation_from_value("conversations.redact", value)
    }

    // ---- tickets ----

    /// `POST /tickets/search` (e.g. `contact_ids = <id>`).
    pub fn search_tickets(&self, request: SearchRequest) -> Result<CursorPager<TicketList>, IntercomError> {
        self.search_pager("tickets.search", "/tickets/search", request)
    }

    /// `GET /tickets/{id}`.
    pub async fn retrieve_ticket(&self, id: &TicketId) -> Result<Ticket, IntercomError> {
        let value: Value = self.get_json("tickets.retrieve", format!("/tickets/{id}")).await?;
        let mut ticket: Ticket = decode_value("tickets.retrieve", value.clone())?;
        ticket.raw = value;
        Ok(ticket)
    }

    // ---- data events ----

    /// `GET /events?type=user&...`, following `pages.next` (only events under 90 days old).
    pub fn list_events(&self, user: &EventUser, per_page: Option<u32>) -> EventPager {
        let mut path = format!("/events?type=user&{}", event_user_query(user));
        if let Some(per_page) = per_page {
            path.push_str(&format!("&per_page={per_page}"));
        }
        EventPager { client: self.clone(), next: Some(path), pages: 0 }
    }

    /// `GET /events?type=user&summary=true&...`.
    pub async fn event_summary(&self, user: &EventUser) -> Result<DataEventSummary, IntercomError> {
        let path = format!("/events?type=user&summary=true&{}", event_user_query(user));
        self.get_json("events.summary", path).await
    }

    // ---- content data export ----

    /// `POST /export/content/data`; a second active job is refused with `RateLimited` (429).
    pub async fn create_export(
        &self,
        created_at_after: i64,
        created_at_before: i64,
    ) -> Result<DataExport, IntercomError> {
        let body = json!({"created_at_after": created_at_after, "created_at_before": created_at_before});
        let call = Call::mutating("export.create", Method::POST, "/export/content/data".to_owned(), Some(body));
        self.json(call).await
    }

    /// `GET /export/content/data/{job}`.
    pub async fn export_status(&self, job: &JobId) -> Result<DataExport, IntercomError> {
        self.get_json("export.status", format!("/export/content/data/{job}")).await
    }

    /// `POST /export/cancel/{job}`.
    pub async fn cancel_export(&self, job: &JobId) -> Result<DataExport, IntercomError> {
        let call = Call::mutating("export.cancel", Method::POST, format!("/export/cancel/{job}"), None);
        self.json(call).await
    }

    /// `GET /download/content/data/{job}` with `Accept: application/octet-stream`: a streamed gzipped CSV.
    pub async fn download_export(&self, job: &JobId) -> Result<ExportDownload, IntercomError> {
        let mut call = Call::read("export.download", Method::GET, format!("/download/content/data/{job}"), None);
        call.octet_stream = true;
        match self.execute(&call).await? {
            (_, _, Body::Stream(body)) => Ok(ExportDownload { body: DownloadBody::Stream(body) }),
            (_, _, Body::Full(bytes)) => Ok(ExportDownload::from_bytes(bytes)),
        }
    }

    // ---- plumbing ----

    fn search_pager<P: CursorPage>(
        &self,
        operation: &'static str,
        path: &str,
        request: SearchRequest,
    ) -> Result<CursorPager<P>, IntercomError> {
        request.validate().map_err(|reason| IntercomError::InvalidRequest { operation, reason })?;
        Ok(CursorPager::new(self.clone(), operation, PagerKind::Search { path: path.to_owned(), request }))
    }

    async fn get_json<T: DeserializeOwned>(&self, operation: &'static str, path: String) -> Result<T, IntercomError> {
        self.json(Call::read(operation, Method::GET, path, None)).await
    }

    async fn json<T: DeserializeOwned>(&self, call: Call) -> Result<T, IntercomError> {
        let bytes = match self.execute(&call).await? {
            (_, _, Body::Full(bytes)) => bytes,
            (_, _, Body::Stream(_)) => Bytes::new(),
        };
        serde_json::from_slice(&bytes)
            .map_err(|e| IntercomError::Decode { operation: call.operation, reason: e.to_string() })
    }

    fn build_request(&self, call: &Call) -> Result<Request<Full<Bytes>>, IntercomError> {
        let uri = format!("{}{}", self.inner.base, call.path);
        let mut auth =
            HeaderValue::from_str(&format!("Bearer {}", self.inner.config.token.expose())).map_err(|_| {
                IntercomError::InvalidRequest {
                    operation: call.operation,
                    reason: "the token is not a valid header value".to_owned(),
                }
            })?;
        auth.set_sensitive(true);
        let version =
            HeaderValue::from_str(&self.inner.config.api_version).map_err(|_| IntercomError::InvalidRequest {
                operation: call.operation,
                reason: "the api version is not a valid header value".to_owned(),
            })?;
        let accept = if call.octet_stream { "application/octet-stream" } else { "application/json" };
        let mut builder = Request::builder()
            .method(call.method.clone())
            .uri(uri)
            .header(header::AUTHORIZATION, auth)
            .header("Intercom-Version", version)
            .header(header::ACCEPT, accept)
            .header(header::USER_AGENT, concat!("steward/", env!("CARGO_PKG_VERSION")));
        let body = match &call.body {
            Some(body) => {
                builder = builder.header(header::CONTENT_TYPE, "application/json");
                Full::new(Bytes::from(body.clone()))
            }
            None => Full::new(Bytes::new()),
        };
        builder.body(body).map_err(|_| IntercomError::InvalidRequest {
            operation: call.operation,
            reason: "the request could not be built: check the base url".to_owned(),
        })
    }

    async fn execute(&self, call: &Call) -> Result<(StatusCode, HeaderMap, Body), IntercomError> {
        let config = &self.inner.config;
        let mut attempt: u32 = 0;
        let mut limited: u32 = 0;
        loop {
            let permit = self.inner.limiter.acquire().await;
            let request = self.build_request(call)?;
            let outcome = tokio::time::timeout(config.timeout, self.send_once(request, call.octet_stream)).await;
            let received = Instant::now();
            let failure = match outcome {
                Err(_elapsed) => Failure::Lost("timeout".to_owned()),
                Ok(Err(failure)) => failure,
                Ok(Ok((status, headers, body))) => {
                    let rate = rate_limit_headers(&headers);
                    let window_429 = status == StatusCode::TOO_MANY_REQUESTS && rate.is_none_or(|r| r.remaining == 0);
                    self.inner.limiter.observe(permit, received, rate, window_429);
                    if status == StatusCode::TOO_MANY_REQUESTS {
                        let retry_after = rate
                            .map(|r| Duration::from_secs(r.reset.saturating_sub(r.server_now)))
                            .unwrap_or(Duration::from_secs(1));
                        limited += 1;
                        if !window_429 || limited > config.max_rate_limited_retries {
                            return Err(IntercomError::RateLimited { operation: call.operation, retry_after });
                        }
                        tracing::debug!(operation = call.operation, "rate limited (429): waiting for the window reset");
                        if rate.is_none() {
                            tokio::time::sleep(backoff(config.backoff_base, limited)).await;
                        }
                        continue;
                    }
                    if status.is_server_error() {
                        if !call.mutating && attempt < config.max_retries {
                            attempt += 1;
                            tracing::debug!(
                                operation = call.operation,
                                status = status.as_u16(),
                                attempt,
                                "server error: retrying"
                            );
                            tokio::time::sleep(backoff(config.backoff_base, attempt)).await;
                            continue;
                        }
                        return Err(IntercomError::Server {
                            operation: call.operation,
                            status: status.as_u16(),
                            mutating: call.mutating,
                        });
                    }
                    return match body {
                        Body::Full(bytes) => check_status(call.operation, status, &headers, &bytes)
                            .map(|()| (status, headers, Body::Full(bytes))),
                        Body::Stream(stream) if status.is_success() => Ok((status, headers, Body::Stream(stream))),
                        Body::Stream(stream) => {
                            let bytes = stream.collect().await.map(|c| c.to_bytes()).unwrap_or_default();
                            check_status(call.operation, status, &headers, &bytes)
                                .map(|()| (status, headers, Body::Full(bytes)))
                        }
                    };
                }
            };
            self.inner.limiter.observe(permit, received, None, false);
            let retry_is_safe = !call.mutating || matches!(failure, Failure::Connect(_));
            if retry_is_safe && attempt < config.max_retries {
                attempt += 1;
                tracing::debug!(operation = call.operation, attempt, "transport failure: retrying");
                tokio::time::sleep(backoff(config.backoff_base, attempt)).await;
                continue;
            }
            return Err(match failure {
                Failure::Lost(_) if call.mutating => IntercomError::AmbiguousOutcome { operation: call.operation },
                Failure::Lost(reason) | Failure::Connect(reason) => {
                    IntercomError::Transport { operation: call.operation, reason }
                }
            });
        }
    }

    async fn send_once(
        &self,
        request: Request<Full<Bytes>>,
        stream: bool,
    ) -> Result<(StatusCode, HeaderMap, Body), Failure> {
        let response = self.inner.http.request(request).await.map_err(|e| {
            if e.is_connect() {
                Failure::Connect("connection failed".to_owned())
            } else {
                Failure::Lost("connection closed before a response".to_owned())
            }
        })?;
        let (parts, body) = response.into_parts();
        if stream {
            return Ok((parts.status, parts.headers, Body::Stream(body)));
        }
        let bytes = body
            .collect()
            .await
            .map_err(|_| Failure::Lost("connection closed while reading the response".to_owned()))?
            .to_bytes();
        Ok((parts.status, parts.headers, Body::Full(bytes)))
    }
}

/// A streamed export download.
pub struct ExportDownload {
    body: DownloadBody,
}

enum DownloadBody {
    Stream(Incoming),
    Buffered(Option<Bytes>),
}

enum Body {
    Full(Bytes),
    Stream(Incoming),
}

impl ExportDownload {
    fn from_bytes(bytes: Bytes) -> Self {
        Self { body: DownloadBody::Buffered(Some(bytes)) }
    }

    /// The next chunk of the gzipped CSV, or `None` at the end.
    pub async fn next_chunk(&mut self) -> Option<Result<Bytes, IntercomError>> {
        let body = match &mut self.body {
            DownloadBody::Buffered(bytes) => return bytes.take().map(Ok),
            DownloadBody::Stream(body) => body,
        };
        loop {
            match body.frame().await? {
                Ok(frame) => {
                    if let Ok(data) = frame.into_data() {
                        return Some(Ok(data));
                    }
                }
                Err(_) => {
                    return Some(Err(IntercomError::Transport {
                        operation: "export.download",
                        reason: "connection closed during the download".to_owned(),
                    }))
                }
            }
        }
    }

    /// Reads the whole download into memory (for tests and small exports).
    pub async fn read_all(mut self) -> Result<Vec<u8>, IntercomError> {
        let mut out = Vec::new();
        while let Some(chunk) = self.next_chunk().await {
            out.extend_from_slice(&chunk?);
        }
        Ok(out)
    }
}

enum Failure {
    Connect(String),
    Lost(String),
}

struct Call {
    operation: &'static str,
    method: Method,
    path: String,
    body: Option<Vec<u8>>,
    mutating: bool,
    octet_stream: bool,
}

impl Call {
    fn read(operation: &'static str, method: Method, path: String, body: Option<Value>) -> Self {
        Self {
            operation,
            method,
            path,
            body: body.map(|b| b.to_string().into_bytes()),
            mutating: false,
            octet_stream: false,
        }
    }

    fn mutating(operation: &'static str, method: Method, path: String, body: Option<Value>) -> Self {
        Self { mutating: true, ..Self::read(operation, method, path, body) }
    }
}

/// Exponential backoff with jitter: `base * 2^attempt`, at most 8 s, drawn from the upper half.
fn backoff(base: Duration, attempt: u32) -> Duration {
    let base_ms = (base.as_millis() as u64).max(1);
    let cap_ms = base_ms.saturating_mul(1u64 << attempt.min(8)).min(8_000);
    let jittered = rand::thread_rng().gen_range(cap_ms / 2..=cap_ms);
    Duration::from_millis(jittered)
}

fn rate_limit_headers(headers: &HeaderMap) -> Option<RateLimitHeaders> {
    let num = |name: &str| headers.get(name)?.to_str().ok()?.trim().parse::<u64>().ok();
    let server_now =
        headers.get(header::DATE).and_then(|v| v.to_str().ok()).and_then(httpdate::parse).unwrap_or_else(|| {
            std::time::SystemTime::now().duration_since(std::time::UNIX_EPOCH).map(|d| d.as_secs()).unwrap_or(0)
        });
    Some(RateLimitHeaders {
        limit: num("x-ratelimit-limit")?,
        remaining: num("x-ratelimit-remaining")?,
        reset: num("x-ratelimit-reset")?,
        server_now,
    })
}

fn check_status(
    operation: &'static str,
    status: StatusCode,
    headers: &HeaderMap,
    body: &[u8],
) -> Result<(), IntercomError> {
    if status.is_success() {
        return Ok(());
    }
    let errors: ApiErrorList = serde_json::from_slice(body).unwrap_or_default();
    Err(match status.as_u16() {
        404 => IntercomError::NotFound { operation },
        410 => IntercomError::Gone {
            operation,
            canonical_id: headers.get(header::LINK).and_then(|v| v.to_str().ok()).and_then(canonical_id_from_link),
        },
        401 => IntercomError::Unauthorized { operation },
        403 => IntercomError::Forbidden { operation },
        400 | 409 | 422 => IntercomError::Validation { operation, status: status.as_u16(), errors },
        other => IntercomError::UnexpectedStatus { operation, status: other },
    })
}

fn decode_value<T: DeserializeOwned>(operation: &'static str, value: Value) -> Result<T, IntercomError> {
    serde_json::from_value(value).map_err(|e| IntercomError::Decode { operation, reason: e.to_string() })
}

fn contact_from_value(operation: &'static str, value: Value) -> Result<Contact, IntercomError> {
    let mut contact: Contact = decode_value(operation, value.clone())?;
    contact.raw = value;
    Ok(contact)
}

fn conversation_from_value(operation: &'static str, value: Value) -> Result<Conversation, IntercomError> {
    let mut conversation: Conversation = decode_value(operation, value.clone())?;
    conversation.raw = value;
    Ok(conversation)
}

fn event_user_query(user: &EventUser) -> String {
    match user {
        EventUser::UserId(id) => format!("user_id={}", percent_encode(id)),
        EventUser::Email(email) => format!("email={}", percent_encode(email)),
        EventUser::IntercomUserId(id) => {
            format!("intercom_user_id={}", percent_encode(id.as_str()))
        }
    }
}

/// Percent-encodes a query-string value (RFC 3986 unreserved characters pass through).
pub fn percent_encode(raw: &str) -> String {
    let mut out = String::with_capacity(raw.len());
    for b in raw.bytes() {
        if b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.' | b'~') {
            out.push(b as char);
        } else {
            out.push_str(&format!("%{b:02X}"));
        }
    }
    out
}

/// A paged listing (by cursor, by page number, or by next-page link): call [`Pages::next_page`] until it returns
/// `None`, or [`Pages::collect_all`].
pub trait Pages: Send + Sized {
    /// The item type.
    type Item: Send;

    /// The next page of items, or `None` after the last one.
    fn next_page(&mut self) -> impl Future<Output = Result<Option<Vec<Self::Item>>, IntercomError>> + Send;

    /// Collects every item, reading at most `max_pages` pages.
    fn collect_all(mut self, max_pages: usize) -> impl Future<Output = Result<Vec<Self::Item>, IntercomError>> + Send {
        async move {
            let mut all = Vec::new();
            for _ in 0..max_pages {
                match self.next_page().await? {
                    Some(items) => all.extend(items),
                    None => break,
                }
            }
            Ok(all)
        }
    }
}

/// A response type paged by cursor.
pub trait CursorPage {
    /// The item type.
    type Item;
    /// Splits a decoded body into items and the next cursor.
    fn split(operation: &'static str, body: Value) -> Result<(Vec<Self::Item>, Option<String>), IntercomError>;
}

impl CursorPage for ContactList {
    type Item = Contact;
    fn split(operation: &'static str, mut body: Value) -> Result<(Vec<Contact>, Option<String>), IntercomError> {
        let data = body.as_object_mut().and_then(|m| m.remove("data")).unwrap_or(Value::Array(Vec::new()));
        let list: ContactList = decode_value(operation, body)?;
        let Value::Array(items) = data else {
            return Err(IntercomError::Decode { operation, reason: "data is not an array".to_owned() });
        };
        let contacts = items.into_iter().map(|v| contact_from_value(operation, v)).collect::<Result<_, _>>()?;
        Ok((contacts, list.pages.as_ref().and_then(|p| p.next_cursor()).map(str::to_owned)))
    }
}

impl CursorPage for ConversationList {
    type Item = ConversationSummary;
    fn split(
        operation: &'static str,
        body: Value,
    ) -> Result<(Vec<ConversationSummary>, Option<String>), IntercomError> {
        let list: ConversationList = decode_value(operation, body)?;
        let next = list.pages.as_ref().and_then(|p| p.next_cursor()).map(str::to_owned);
        Ok((list.conversations, next))
    }
}

impl CursorPage for TicketList {
    type Item = Ticket;
    fn split(operation: &'static str, body: Value) -> Result<(Vec<Ticket>, Option<String>), IntercomError> {
        let list: TicketList = decode_value(operation, body)?;
        let next = list.pages.as_ref().and_then(|p| p.next_cursor()).map(str::to_owned);
        Ok((list.tickets, next))
    }
}

enum PagerKind {
    Get { path: String, per_page: Option<u32> },
    Search { path: String, request: SearchRequest },
}

/// Pages of a cursor-paginated list or search; call [`CursorPager::next_page`] until it returns `None`.
pub struct CursorPager<P> {
    client: Client,
    operation: &'static str,
    kind: PagerKind,
    cursor: Option<String>,
    done: bool,
    _page: PhantomData<P>,
}

impl<P> CursorPager<P> {
    fn new(client: Client, operation: &'static str, kind: PagerKind) -> Self {
        Self { client, operation, kind, cursor: None, done: false, _page: PhantomData }
    }
}

impl<P: CursorPage + Send> Pages for CursorPager<P>
where
    P::Item: Send,
{
    type Item = P::Item;

    async fn next_page(&mut self) -> Result<Option<Vec<P::Item>>, IntercomError> {
        if self.done {
            return Ok(None);
        }
        let call = match &self.kind {
            PagerKind::Get { path, per_page } => {
                let mut query = Vec::new();
                if let Some(per_page) = per_page {
                    query.push(format!("per_page={per_page}"));
                }
                if let Some(cursor) = &self.cursor {
                    query.push(format!("starting_after={}", percent_encode(cursor)));
                }
                let full = if query.is_empty() { path.clone() } else { format!("{path}?{}", query.join("&")) };
                Call::read(self.operation, Method::GET, full, None)
            }
            PagerKind::Search { path, request } => {
                Call::read(self.operation, Method::POST, path.clone(), Some(request.body(self.cursor.as_deref())))
            }
        };
        let body: Value = self.client.json(call).await?;
        let (items, next) = P::split(self.operation, body)?;
        match next {
            Some(next) if Some(&next) != self.cursor.as_ref() && !items.is_empty() => self.cursor = Some(next),
            _ => self.done = true,
        }
        Ok(Some(items))
    }
}

/// A response type paged by page number.
pub trait NumberedPage: DeserializeOwned {
    /// The item type.
    type Item;
    /// Items, and `(page, total_pages)`.
    fn split(self) -> (Vec<Self::Item>, Option<(u64, u64)>);
}

impl NumberedPage for CompanyList {
    type Item = Company;
    fn split(self) -> (Vec<Company>, Option<(u64, u64)>) {
        let pages = self.pages.and_then(|p| Some((p.page?, p.total_pages?)));
        (self.companies, pages)
    }
}

impl NumberedPage for NoteList {
    type Item = Note;
    fn split(self) -> (Vec<Note>, Option<(u64, u64)>) {
        let pages = self.pages.and_then(|p| Some((p.page?, p.total_pages?)));
        (self.data, pages)
    }
}

/// Pages addressed by `?page=N`.
pub struct NumberedPager<P> {
    client: Client,
    operation: &'static str,
    path: String,
    per_page: Option<u32>,
    page: u64,
    done: bool,
    _page: PhantomData<P>,
}

impl<P> NumberedPager<P> {
    fn new(client: Client, operation: &'static str, path: String, per_page: Option<u32>) -> Self {
        Self { client, operation, path, per_page, page: 1, done: false, _page: PhantomData }
    }
}

impl<P: NumberedPage + Send> Pages for NumberedPager<P>
where
    P::Item: Send,
{
    type Item = P::Item;

    async fn next_page(&mut self) -> Result<Option<Vec<P::Item>>, IntercomError> {
        if self.done {
            return Ok(None);
        }
        let mut path = format!("{}?page={}", self.path, self.page);
        if let Some(per_page) = self.per_page {
            path.push_str(&format!("&per_page={per_page}"));
        }
        let list: P = self.client.get_json(self.operation, path).await?;
        let (items, pages) = list.split();
        match pages {
            Some((page, total)) if page < total && !items.is_empty() => self.page = page + 1,
            _ => self.done = true,
        }
        Ok(Some(items))
    }
}

/// Pages of data events, following the `pages.next` URL (re-based onto the configured base URL).
pub struct EventPager {
    client: Client,
    next: Option<String>,
    pages: u32,
}

impl Pages for EventPager {
    type Item = DataEvent;

    async fn next_page(&mut self) -> Result<Option<Vec<DataEvent>>, IntercomError> {
        let Some(path) = self.next.take() else {
            return Ok(None);
        };
        self.pages += 1;
        let list: DataEventList = self.client.get_json("events.list", path).await?;
        self.next = list
            .pages
            .and_then(|p| p.next)
            .filter(|n| !n.is_empty())
            .and_then(|url| path_and_query(&url))
            .filter(|_| !list.events.is_empty() && self.pages < 10_000);
        Ok(Some(list.events))
    }
}

fn path_and_query(url: &str) -> Option<String> {
    if url.starts_with('/') {
        return Some(url.to_owned());
    }
    let uri: http::Uri = url.parse().ok()?;
    uri.path_and_query().map(|pq| pq.as_str().to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn clients_build_for_every_region_without_leaking_the_token() {
        for region in [super::super::Region::Us, super::super::Region::Eu, super::super::Region::Au] {
            let mut config = ClientConfig::new(super::super::AccessToken::parse("s3cr3t-token").unwrap());
            config.region = region;
            let client = Client::new(config).unwrap();
            let debug = format!("{client:?}");
            assert!(debug.contains(region.base_url()), "{debug}");
            assert!(!debug.contains("s3cr3t"));
        }
    }

    #[test]
    fn backoff_is_bounded_and_grows() {
        let base = Duration::from_millis(100);
        for _ in 0..50 {
            let first = backoff(base, 1);
            assert!(first >= Duration::from_millis(100) && first <= Duration::from_millis(200));
            assert!(backoff(base, 30) <= Duration::from_secs(8));
            assert!(backoff(base, 30) >= Duration::from_secs(4));
        }
    }

    #[test]
    fn query_values_are_encoded_and_next_urls_rebased() {
        assert_eq!(percent_encode("a+b@x.io"), "a%2Bb%40x.io");
        assert_eq!(
            path_and_query("https://api.intercom.io/events?type=user&before=x").as_deref(),
            Some("/events?type=user&before=x")
        );
        let mut headers = HeaderMap::new();
        headers.insert("x-ratelimit-limit", HeaderValue::from_static("10000"));
        headers.insert("x-ratelimit-remaining", HeaderValue::from_static("12"));
        headers.insert("x-ratelimit-reset", HeaderValue::from_static("1780000010"));
        headers.insert(header::DATE, HeaderValue::from_static("Thu, 28 May 2026 20:26:40 GMT"));
        let parsed = rate_limit_headers(&headers).unwrap();
        assert_eq!((parsed.remaining, parsed.reset, parsed.server_now), (12, 1_780_000_010, 1_780_000_000));
    }
}
