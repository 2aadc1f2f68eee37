//! Labeled corpus generator: seeded, realistic plain log lines, JSON log lines and HTML conversation bodies with gold spans.
//!
//! About 45% of samples are plain log lines, 40% JSON log lines and 15% Intercom-style HTML bodies; about half of
//! them hold 1 to 3 personal values in realistic context (and HTML bodies among them mostly a signature's name), and every one of them holds realistic look-alikes that
//! a detector must leave alone (UUIDs, timestamps, order ids, Luhn-invalid numbers, versions, hashes, trace ids,
//! durations, amounts, invalid NANP numbers, base64 payloads...). All values are synthetic.
//!
//! Span conventions (the engine follows them): a phone covers from its first `+`, `(` or digit to its last digit,
//! extension (` x4587`) included; a card or IBAN covers the number with its inner spaces or dashes; a SECRET covers
//! the token only (not `Bearer `); an email is the address only (not `mailto:`); an IP is the address only (not
//! `:port`, not the brackets of `[v6]:port`); CREDENTIALS is the `user:password` part of a URL.

use std::io::{self, BufRead, Write};

use base64::Engine as _;
use rand::seq::SliceRandom;
use rand::{Rng, SeedableRng};
use rand_chacha::ChaCha8Rng;

use crate::quality::{CorpusError, GoldSpan, LabeledSample, SampleFormat};

/// Generates `count` labeled samples; the same seed always gives the same samples.
pub fn generate(seed: u64, count: usize) -> Vec<LabeledSample> {
    let mut rng = ChaCha8Rng::seed_from_u64(seed);
    (0..count)
        .map(|i| {
            let roll = rng.gen_range(0..100);
            let kind = if roll < 45 {
                LineKind::Plain
            } else if roll < 85 {
                LineKind::Json
            } else {
                LineKind::Html
            };
            let pii = if rng.gen_bool(0.5) { rng.gen_range(1..=3) } else { 0 };
            let mut sample = generate_one(&mut rng, kind, pii).sample;
            sample.id = format!("gen-{seed}-{i}");
            sample
        })
        .collect()
}

/// Writes samples as JSON lines (one sample per line).
pub fn write_jsonl(samples: &[LabeledSample], writer: &mut impl Write) -> io::Result<()> {
    for sample in samples {
        serde_json::to_writer(&mut *writer, sample).map_err(io::Error::other)?;
        writer.write_all(b"\n")?;
    }
    Ok(())
}

/// Reads samples written by [`write_jsonl`] (blank lines are skipped).
pub fn read_jsonl(reader: impl BufRead) -> Result<Vec<LabeledSample>, CorpusError> {
    let mut samples = Vec::new();
    for (index, line) in reader.lines().enumerate() {
        let line = line.map_err(CorpusError::Read)?;
        if line.trim().is_empty() {
            continue;
        }
        let sample: LabeledSample = serde_json::from_str(&line).map_err(|e| CorpusError::json(&e, index))?;
        for span in &sample.spans {
            if sample.text.get(span.start..span.end).is_none() || span.start >= span.end {
                return Err(CorpusError::BadSpan { sample: samples.len(), start: span.start, end: span.end });
            }
        }
        samples.push(sample);
    }
    Ok(samples)
}

/// The kind of sample to generate.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum LineKind {
    Plain,
    Json,
    Html,
}

/// A generated sample, plus where its leading ISO-8601 timestamp (`YYYY-MM-DDTHH:MM:SS.mmmZ`) sits, if it has one,
/// so that the mixed-log writer can rewrite it cheaply.
pub(crate) struct Generated {
    pub(crate) sample: LabeledSample,
    pub(crate) ts_at: Option<usize>,
}

/// Length of the ISO timestamp that [`Generated::ts_at`] points to.
pub(crate) const ISO_TS_LEN: usize = 24;

/// Generates one sample of the given kind holding `pii` personal values (0 for a clean sample; 1 to 3 otherwise,
/// occasionally one more when a template carries two).
pub(crate) fn generate_one(rng: &mut ChaCha8Rng, kind: LineKind, pii: usize) -> Generated {
    let mut out = Out::default();
    let format = match kind {
        LineKind::Plain => {
            plain_line(rng, pii, &mut out);
            SampleFormat::Text
        }
        LineKind::Json => {
            json_line(rng, pii, &mut out);
            SampleFormat::Json
        }
        LineKind::Html => {
            html_body(rng, pii, &mut out);
            SampleFormat::Html
        }
    };
    Generated {
        sample: LabeledSample { id: String::new(), text: out.text, format, spans: out.spans },
        ts_at: out.ts_at,
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Output with spans.

/// A piece of a message: literal markup, or a personal value to label.
#[derive(Debug, Clone)]
enum Part {
    Lit(String),
    Pii(&'static str, String),
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Esc {
    /// Written as is (plain text, or HTML whose template is already markup).
    None,
    /// Written inside a JSON string.
    Json,
}

#[derive(Default)]
struct Out {
    text: String,
    spans: Vec<GoldSpan>,
    ts_at: Option<usize>,
}

impl Out {
    fn lit(&mut self, s: &str) {
        self.text.push_str(s);
    }

    fn pii(&mut self, entity: &'static str, value: &str) {
        debug_assert!(
            !value.is_empty() && !value.bytes().any(|b| matches!(b, b'"' | b'\\' | b'<' | b'>' | b'&') || b < 0x20),
            "generated values never need escaping"
        );
        let start = self.text.len();
        self.text.push_str(value);
        self.spans.push(GoldSpan { entity: entity.to_string(), start, end: self.text.len() });
    }

    fn parts(&mut self, parts: &[Part], esc: Esc) {
        for part in parts {
            match part {
                Part::Lit(s) => match esc {
                    Esc::None => self.lit(s),
                    Esc::Json => json_escape_into(s, &mut self.text),
                },
                Part::Pii(entity, value) => self.pii(entity, value),
            }
        }
    }

    /// Writes an ISO-8601 UTC timestamp with milliseconds and remembers where it is (first one only).
    fn iso_ts(&mut self, rng: &mut ChaCha8Rng) {
        if self.ts_at.is_none() {
            self.ts_at = Some(self.text.len());
        }
        let ts = iso_ms(random_epoch_ms(rng));
        self.text.push_str(&ts);
    }
}

fn json_escape_into(s: &str, out: &mut String) {
    for c in s.chars() {
        match c {
            '"' => out.push_str("\\\""),
            '\\' => out.push_str("\\\\"),
            '\n' => out.push_str("\\n"),
            '\r' => out.push_str("\\r"),
            '\t' => out.push_str("\\t"),
            c if (c as u32) < 0x20 => out.push_str(&format!("\\u{:04x}", c as u32)),
            c => out.push(c),
        }
    }
}

fn count_pii(parts: &[Part]) -> usize {
    parts.iter().filter(|p| matches!(p, Part::Pii(..))).count()
}

// ---------------------------------------------------------------------------------------------------------------
// Templates. `{NAME}` placeholders expand to negatives (plain text) or personal values (labeled).

const CLEAN_MESSAGES: &[&str] = &[
    "request completed method=GET path={PATH} status={STATUS} duration={DUR} bytes={BYTES}",
    "order {ORDER} created amount={AMOUNT} items={SMALL} warehouse=DE-BER-02",
    "payment captured order_id={ORDER} provider_ref={LUHNBAD} amount={AMOUNT}",
    "deployed version {VER} commit {SHA} to {POD}",
    "cache hit ratio {PCT} over {INT} keys in {DUR}",
    "upstream timeout after {DUR} trace_id={TRACE} span_id={SPAN}",
    "scheduled job sync-accounts started at {TS} next_run={UNIX}",
    "processed batch {UUID} records={INT} failed=0 elapsed_ms={SMALL}",
    "desktop client {VER} reported os=Windows {WINVER} crash_id={UUID}",
    "artifact sha256:{SHA256} size={BYTES} pushed",
    "session {UUID} renewed expires_at={UNIXMS}",
    "invoice INV-{YEAR}-{INT} total {AMOUNT} due {DATE}",
    "legacy reference {BADNANP} imported from erp batch {SMALL}",
    "account number {NINE} migrated to ledger {VER}",
    "card ending {LAST4} authorized amount={AMOUNT} auth_code={HEX6}",
    "cursor={B64} page_size={SMALL} has_more=true",
    "listening on port {PORT} workers={SMALL}",
    "GC pause {DUR} heap_used={BYTES} heap_max={BYTES} ({PCT})",
    "retrying request attempt={SMALL} backoff={DUR} at {TIME}",
    "rate limit window {TIME}-{TIME} remaining={INT} limit={INT}",
    "pod {POD} restarted exit_code=137 restarts={SMALL}",
    "build {VER} ({SHA7}) released on {DATE}",
    "healthcheck ok latency={DUR} uptime={UNIX}s",
    "exported report {UUID}.csv rows={INT} in {DUR}",
    "shipment {ORDER} handed to carrier tracking=1Z{ALNUM12} eta {DATE}",
    "kafka consumer lag partition={SMALL} offset={UNIXMS} lag={INT}",
    "feature flag new-checkout enabled for {PCT} of traffic since {TS}",
    "config reloaded checksum={SHA7} keys={SMALL} took {DUR}",
    "slow query {DUR} rows_examined={INT} table=orders query_id={HEX16}",
    "ticket {BADNANP} escalated priority=P2 queue=billing",
    "idempotency key {UUID} replayed status={STATUS}",
    "tls certificate expires {DATE} serial={HEX16} days_left={SMALL}",
    // Context words before numbers that are no phone: a unix time, a quantity, a key that names a measure.
    "contact {UUID} synced {UNIX}",
    "sms queue size {BYTES} after {DUR}",
    "api call took {BYTES} ns",
    "call duration_us={BYTES} status={STATUS}",
];

const ONE_PII_MESSAGES: &[&str] = &[
    "user login succeeded email={EMAIL} session={SESSION}",
    "password reset requested for {EMAIL} at {TS}",
    "sending receipt to {EMAIL} order={ORDER} amount={AMOUNT}",
    "customer asked us to call me at {PHONE} about order {ORDER}",
    "sms delivery failed to={PHONE} status={STATUS} provider_ref={UUID}",
    "contact updated phone={PHONE} version={VER}",
    "customer note: my mobile is {PHONE_EU}, please call back after {TIME}",
    "tel {PHONE_EU} stored for account {UUID}",
    "payment declined card={CARD} reason=insufficient_funds trace_id={TRACE}",
    "charging card {CARD} for order {ORDER} amount {AMOUNT}",
    "refund issued to IBAN: {IBAN} amount={AMOUNT}",
    "sepa mandate created iban={IBAN} mandate_id={UUID}",
    "kyc check ssn={SSN} result=pass duration={DUR}",
    "tax form received with SSN {SSN} for year {YEAR}",
    "request from client_ip={IP4} took {DUR} status={STATUS}",
    "connection accepted from {IPPORT} conn_id={INT}",
    "new device registered mac={MAC} firmware={VER}",
    "outbound call Authorization: Bearer {BEARER} status={STATUS} duration={DUR}",
    "configured payment key {SECRET} for tenant {UUID}",
    "sync job {UUID} using token={SECRET}",
    "connecting to {CREDURL} pool_size={SMALL}",
    "webhook delivery to {CREDURL} returned {STATUS} after {DUR}",
    "ipv6 peer {IP6} handshake completed in {DUR}",
    "intercom request rejected token={INTERCOM} status=401 request_id={UUID}",
    "forwarding header X-Forwarded-For: {IP} trace_id={TRACE}",
    "unsubscribe link clicked by {EMAIL} campaign={HEX6}",
    "verification code sent via sms to {PHONE} code_ttl={DUR}",
    "device {MAC} seen on vlan {SMALL} at {TS}",
    // Angle brackets, parentheses, a full stop and a prefix length around the value.
    "bounce from <{EMAIL}> reason=mailbox_full",
    "card on file ({CARD}) expired",
    "connection reset by {IP4}.",
    "blocked {IP4}/32 after {SMALL} failed logins",
];

const TWO_PII_MESSAGES: &[&str] = &[
    "user {EMAIL} updated phone to {PHONE}",
    "dhcp lease {IP4} assigned to {MAC} for {DUR}",
    "chargeback opened card={CARD} customer={EMAIL} amount={AMOUNT}",
    "payout to {IBAN} requested by {EMAIL} batch={UUID}",
    "login from {IP} for {EMAIL} mfa=totp",
    "api key {SECRET} used from {IP4} status={STATUS}",
];

const CLEAN_EXTRAS: &[(&str, &str)] = &[
    ("trace_id", "{TRACE}"),
    ("span_id", "{SPAN}"),
    ("request_id", "{UUID}"),
    ("duration_ms", "{SMALL}"),
    ("bytes", "{BYTES}"),
    ("status", "{STATUS}"),
    ("pod", "{POD}"),
    ("version", "{VER}"),
    ("region", "eu-west-1"),
    ("user_id", "{INT}"),
    ("attempt", "{SMALL}"),
    ("host", "web-{SMALL}"),
    ("commit", "{SHA7}"),
    ("ts_unix", "{UNIX}"),
    ("order_id", "{ORDER}"),
    ("elapsed", "{DUR}"),
    // Keys with a phone key word inside another word.
    ("hotel_id", "{BYTES}"),
    ("telemetry_seq", "{UNIX}"),
];

/// Personal values under non-personal keys, or inside a sentence.
const PII_EXTRAS: &[(&str, &str)] = &[
    ("detail", "customer email is {EMAIL}"),
    ("note", "call me at {PHONE}"),
    ("note", "mobile {PHONE_EU} (evenings)"),
    ("query", "email={EMAIL}&page={SMALL}"),
    ("detail", "refund to IBAN {IBAN}"),
    ("ctx", "card {CARD} flagged by risk engine"),
    ("detail", "{SSN}"),
    ("peer", "{IPPORT}"),
    ("info", "hw {MAC}"),
    ("upstream", "{CREDURL}"),
    ("msg_extra", "Authorization: Bearer {BEARER}"),
    ("detail", "key {SECRET} rotated"),
    ("source", "{IP}"),
    ("note", "reply to {EMAIL}"),
    // Classic personal keys: labeled the same way.
    ("email", "{EMAIL}"),
    ("phone", "{PHONE}"),
    ("client_ip", "{IP}"),
    ("card_number", "{CARD}"),
    ("iban", "{IBAN}"),
    ("api_key", "{SECRET}"),
];

const HTML_CLEAN: &[&str] = &[
    "<p>I placed order {ORDER} on {DATE} but it still shows as pending.</p>",
    "<p>The app version is {VER} and I&#39;m on Windows {WINVER}.</p>",
    "<p>I was charged {AMOUNT} twice &mdash; can you check?</p>",
    "<p>Reference: <b>{UUID}</b></p>",
    "<p>It happened at {TIME} today, the error code was {STATUS}.</p>",
    "<p>My card ending {LAST4} was used for this.</p>",
    "<p>The request id shown on screen was <code>{TRACE}</code>.</p>",
    "<p>Our account number is {NINE}, invoice INV-{YEAR}-{INT}.</p>",
    "<p>Download stopped at {PCT} (about {BYTES} bytes).</p>",
    "<p>Your docs say &quot;retry after {DUR}&quot; but nothing happens.</p>",
    "<p>The old support line {BADNANP} doesn&#39;t work anymore.</p>",
];

const HTML_ONE_PII: &[&str] = &[
    "<p>You can reach me at {MAILTO} anytime.</p>",
    "<p>Please call me at <b>{PHONE}</b> after 5pm.</p>",
    "<p>My mobile: {PHONE_EU}</p>",
    "<p>The card I used is {CARD}, please refund it.</p>",
    "<p>Please send the refund to IBAN: {IBAN}</p>",
    "<p>My SSN is {SSN} if you need to verify.</p>",
    "<p>My login is {EMAIL} &amp; I can&#39;t get in.</p>",
    "<p>Our server at {IP4} can&#39;t reach your API.</p>",
    "<p>Here is my API key so you can debug: <code>{SECRET}</code></p>",
    "<p>We call <code>{CREDURL}</code> from our backend.</p>",
    "<p>Our gateway&#39;s MAC is {MAC}.</p>",
];

const HTML_GREETINGS: &[&str] = &["<p>Hi there,</p>", "<p>Hello,</p>", "<p>Hey team!</p>", "<p>Good morning,</p>"];
const UNSIGNED_CLOSING: &str = "<p>Thank you!<br>&nbsp;</p>";
const HTML_CLOSINGS: &[&str] = &[
    "<p>Thanks &amp; best regards,<br>{SIGNED_FIRST}</p>",
    "<p>Cheers,<br>{SIGNED_FULL}</p>",
    UNSIGNED_CLOSING,
    "<p>Kind regards,<br><b>{SIGNED_FIRST}</b></p>",
];

const SERVICES: &[&str] = &[
    "checkout-api",
    "billing-worker",
    "auth-service",
    "notifications",
    "crm-sync",
    "edge-gateway",
    "search-indexer",
    "payments",
];
const LEVELS_UPPER: &[&str] = &["INFO", "INFO", "INFO", "WARN", "ERROR", "DEBUG"];
const LEVELS_LOWER: &[&str] = &["info", "info", "info", "warn", "error", "debug"];
const FIRST_NAMES: &[&str] = &[
    "anna", "jonas", "maria", "liam", "sofia", "noah", "emma", "lucas", "mia", "oliver", "chloe", "mateo", "amelie",
    "finn", "ines", "jakub", "elena", "tomas", "freya", "marco",
];
const LAST_NAMES: &[&str] = &[
    "schmidt",
    "dubois",
    "rossi",
    "garcia",
    "nowak",
    "jensen",
    "murphy",
    "silva",
    "keller",
    "novak",
    "lindqvist",
    "moreau",
    "bianchi",
    "kowalski",
    "obrien",
    "fischer",
    "martin",
    "weber",
    "costa",
    "hansen",
];
const EMAIL_DOMAINS: &[&str] = &[
    "gmail.com",
    "outlook.com",
    "yahoo.co.uk",
    "proton.me",
    "eu.acme-corp.com",
    "mail.contoso.de",
    "students.uni-example.edu",
    "t-online.de",
    "orange.fr",
    "fastmail.fm",
    "corp.example.io",
    "support.widgets-shop.nl",
];
const USER_AGENTS: &[&str] = &[
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_6) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.1 Safari/605.1.15",
    "curl/8.5.0",
    "okhttp/4.12.0",
    "kube-probe/1.30",
    "python-requests/2.32.3",
];
const API_PATHS: &[&str] = &[
    "/api/v1/orders/{ORDER}",
    "/api/v2/users/{INT}/settings",
    "/healthz",
    "/v1/conversations/{INT}/parts",
    "/static/app.{SHA7}.js",
    "/api/v1/search?q=shoes&page={SMALL}",
    "/metrics",
    "/api/v1/invoices/INV-{YEAR}-{INT}.pdf",
];

/// Expands `{NAME}` placeholders of `template` into parts.
fn expand(rng: &mut ChaCha8Rng, template: &str, parts: &mut Vec<Part>) {
    let mut rest = template;
    while let Some(open) = rest.find('{') {
        push_lit(parts, &rest[..open]);
        let after = &rest[open + 1..];
        let Some(close) = after.find('}') else {
            push_lit(parts, &rest[open..]);
            return;
        };
        placeholder(rng, &after[..close], parts);
        rest = &after[close + 1..];
    }
    push_lit(parts, rest);
}

fn push_lit(parts: &mut Vec<Part>, s: &str) {
    if s.is_empty() {
        return;
    }
    if let Some(Part::Lit(last)) = parts.last_mut() {
        last.push_str(s);
    } else {
        parts.push(Part::Lit(s.to_string()));
    }
}

fn placeholder(rng: &mut ChaCha8Rng, name: &str, parts: &mut Vec<Part>) {
    let pii = |entity: &'static str, value: String| Part::Pii(entity, value);
    match name {
        "EMAIL" => parts.push(pii("EMAIL", email(rng))),
        // A message signed with its author's name: a name after a sign-off.
        "SIGNED_FIRST" => parts.push(pii("NAME", capitalize(FIRST_NAMES.choose(rng).copied().unwrap_or("anna")))),
        "SIGNED_FULL" => {
            let first = capitalize(FIRST_NAMES.choose(rng).copied().unwrap_or("anna"));
            let last = capitalize(LAST_NAMES.choose(rng).copied().unwrap_or("smith"));
            parts.push(pii("NAME", format!("{first} {last}")));
        }
        "PHONE" => parts.push(pii("PHONE", phone(rng))),
        "PHONE_EU" => parts.push(pii("PHONE", phone_national_eu(rng))),
        "CARD" => parts.push(pii("CARD", card(rng))),
        "IBAN" => parts.push(pii("IBAN", iban(rng))),
        "SSN" => parts.push(pii("SSN", ssn(rng))),
        "IP4" => parts.push(pii("IP", ipv4(rng))),
        "IP6" => parts.push(pii("IP", ipv6(rng))),
        "IP" => {
            let ip = if rng.gen_bool(0.75) { ipv4(rng) } else { ipv6(rng) };
            parts.push(pii("IP", ip));
        }
        "IPPORT" => {
            let port = rng.gen_range(1024..65535).to_string();
            if rng.gen_bool(0.75) {
                parts.push(pii("IP", ipv4(rng)));
                push_lit(parts, &format!(":{port}"));
            } else {
                push_lit(parts, "[");
                parts.push(pii("IP", ipv6(rng)));
                push_lit(parts, &format!("]:{port}"));
            }
        }
        "MAC" => parts.push(pii("MAC", mac(rng))),
        "SECRET" => parts.push(pii("SECRET", api_key(rng))),
        "BEARER" => parts.push(pii("SECRET", bearer_token(rng))),
        "INTERCOM" => parts.push(pii("SECRET", intercom_token(rng))),
        // A session id is a credential: whoever holds it is logged in (the rules redact `session=` and `*sessionid`).
        "SESSION" => parts.push(pii("SECRET", negative(rng, "UUID"))),
        "CREDURL" => {
            let (scheme, host) = *[
                ("https", "api.partner-example.com/v1/hooks"),
                ("postgres", "db.internal:5432/prod"),
                ("amqp", "rabbitmq.prod.svc:5672/%2F"),
                ("redis", "cache-01.internal:6379/0"),
                ("mongodb+srv", "cluster0.ab1cd.mongodb.net/app"),
                ("https", "files.example.org/upload"),
            ]
            .choose(rng)
            .unwrap_or(&("https", "example.org/"));
            push_lit(parts, &format!("{scheme}://"));
            parts.push(pii("CREDENTIALS", url_credentials(rng)));
            push_lit(parts, &format!("@{host}"));
        }
        "MAILTO" => {
            let address = email(rng);
            push_lit(parts, "<a href=\"mailto:");
            parts.push(pii("EMAIL", address.clone()));
            push_lit(parts, "\">");
            parts.push(pii("EMAIL", address));
            push_lit(parts, "</a>");
        }
        other => {
            let value = negative(rng, other);
            push_lit(parts, &value);
        }
    }
}

/// A realistic value that is NOT personal data.
fn negative(rng: &mut ChaCha8Rng, name: &str) -> String {
    match name {
        "UUID" => uuid(rng),
        "TS" => {
            let ms = random_epoch_ms(rng);
            match rng.gen_range(0..3) {
                0 => iso_ms(ms),
                1 => iso_ms(ms)[..19].to_string() + "+01:00",
                _ => iso_ms(ms)[..19].to_string() + "Z",
            }
        }
        "DATE" => {
            let iso = iso_ms(random_epoch_ms(rng));
            if rng.gen_bool(0.7) {
                iso[..10].to_string()
            } else {
                format!("{}.{}.{}", &iso[8..10], &iso[5..7], &iso[..4])
            }
        }
        "YEAR" => rng.gen_range(2019..=2026).to_string(),
        "TIME" => {
            let (h, m, s) = (rng.gen_range(0..24), rng.gen_range(0..60), rng.gen_range(0..60));
            if rng.gen_bool(0.5) {
                format!("{h:02}:{m:02}:{s:02}")
            } else {
                format!("{h:02}:{m:02}")
            }
        }
        "UNIX" => (random_epoch_ms(rng) / 1000).to_string(),
        "UNIXMS" => random_epoch_ms(rng).to_string(),
        "ORDER" => format!("ORD-{}-{:06}", rng.gen_range(2019..=2026), rng.gen_range(1..1_000_000)),
        "LUHNBAD" => luhn_invalid(rng),
        "VER" => match rng.gen_range(0..4) {
            0 => format!("{}.{}.{}", rng.gen_range(0..5), rng.gen_range(0..20), rng.gen_range(0..40)),
            1 => format!("v{}.{}.{}", rng.gen_range(1..20), rng.gen_range(0..20), rng.gen_range(0..40)),
            2 => format!(
                "{}.{}.{}-rc.{}",
                rng.gen_range(1..5),
                rng.gen_range(0..10),
                rng.gen_range(0..10),
                rng.gen_range(1..5)
            ),
            _ => format!(
                "{}.{}.{}.{}",
                rng.gen_range(1..12),
                rng.gen_range(0..10),
                rng.gen_range(0..300),
                // A build number above 255, so that the version is not also a valid IPv4 address.
                rng.gen_range(256..10000)
            ),
        },
        "WINVER" => format!(
            "10.0.{}.{}",
            [19041, 19045, 22621, 22631, 26100].choose(rng).copied().unwrap_or(19041),
            rng.gen_range(1..5000)
        ),
        "SHA" => hex_id(rng, 40),
        "SHA7" => hex_id(rng, 7),
        "SHA256" => hex_id(rng, 64),
        "TRACE" => hex_id(rng, 32),
        "SPAN" | "HEX16" => hex_id(rng, 16),
        "HEX6" => hex_id(rng, 6),
        "DUR" => match rng.gen_range(0..5) {
            0 => format!("{}ms", rng.gen_range(1..5000)),
            1 => format!("{}.{:02}s", rng.gen_range(0..60), rng.gen_range(0..100)),
            2 => format!("{}µs", rng.gen_range(1..1000)),
            3 => format!("{}m{}s", rng.gen_range(1..30), rng.gen_range(0..60)),
            _ => format!("{}.{}ms", rng.gen_range(0..100), rng.gen_range(0..10)),
        },
        "PORT" => rng.gen_range(1024..65535).to_string(),
        "BYTES" => rng.gen_range(100..50_000_000).to_string(),
        "STATUS" => [200, 200, 201, 204, 301, 304, 400, 401, 403, 404, 409, 429, 500, 502, 503]
            .choose(rng)
            .copied()
            .unwrap_or(200)
            .to_string(),
        "POD" => format!(
            "{}-{}-{}",
            SERVICES.choose(rng).copied().unwrap_or("api"),
            lower_alnum(rng, 9, true),
            lower_alnum(rng, 5, false)
        ),
        "BADNANP" => {
            // Area code or exchange starting with 0 or 1: not a valid NANP number.
            if rng.gen_bool(0.5) {
                format!(
                    "{}{:02}-{:03}-{:04}",
                    rng.gen_range(0..2),
                    rng.gen_range(0..100),
                    rng.gen_range(200..1000),
                    rng.gen_range(0..10000)
                )
            } else {
                format!(
                    "{}-{}{:02}-{:04}",
                    rng.gen_range(201..990),
                    rng.gen_range(0..2),
                    rng.gen_range(0..100),
                    rng.gen_range(0..10000)
                )
            }
        }
        "NINE" => rng.gen_range(100_000_000u32..1_000_000_000).to_string(),
        "AMOUNT" => {
            let (units, cents) = (rng.gen_range(1..5000), rng.gen_range(0..100));
            match rng.gen_range(0..4) {
                0 => format!("€{units}.{cents:02}"),
                1 => format!("${units}.{cents:02}"),
                2 => format!("{units}.{cents:02} EUR"),
                _ => format!("£{units},{cents:02}"),
            }
        }
        "PCT" => format!("{}.{}%", rng.gen_range(0..100), rng.gen_range(0..10)),
        "B64" => {
            let cursor = format!("{{\"page\":{},\"after\":\"{}\"}}", rng.gen_range(1..500), hex_id(rng, 8));
            base64::engine::general_purpose::STANDARD.encode(cursor)
        }
        "INT" => rng.gen_range(1..1_000_000).to_string(),
        "SMALL" => rng.gen_range(1..64).to_string(),
        "LAST4" => format!("{:04}", rng.gen_range(0..10000)),
        "ALNUM12" => upper_alnum(rng, 12),
        "FIRST" => capitalize(FIRST_NAMES.choose(rng).copied().unwrap_or("anna")),
        "LAST" => capitalize(LAST_NAMES.choose(rng).copied().unwrap_or("smith")),
        "PATH" => {
            let template = API_PATHS.choose(rng).copied().unwrap_or("/");
            let mut parts = Vec::new();
            expand(rng, template, &mut parts);
            parts
                .into_iter()
                .map(|p| match p {
                    Part::Lit(s) | Part::Pii(_, s) => s,
                })
                .collect()
        }
        _ => String::new(),
    }
}

// ---------------------------------------------------------------------------------------------------------------
// Line builders.

fn plain_line(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    // Access-log and syslog shapes always carry a client IP, so they are only used for samples with personal data.
    if pii > 0 && rng.gen_bool(0.15) {
        access_log_line(rng, pii, out);
        return;
    }
    let (message, remaining) = message_parts(rng, pii);
    let service = SERVICES.choose(rng).copied().unwrap_or("api");
    let logfmt = rng.gen_bool(0.4);
    if logfmt {
        out.lit("ts=");
        out.iso_ts(rng);
        out.lit(&format!(" level={} service={service} msg=\"", LEVELS_LOWER.choose(rng).copied().unwrap_or("info")));
        out.parts(&message, Esc::None);
        out.lit("\"");
    } else {
        match rng.gen_range(0..3) {
            0 | 1 => {
                out.iso_ts(rng);
                out.lit(&format!(" {} [{service}] ", LEVELS_UPPER.choose(rng).copied().unwrap_or("INFO")));
            }
            _ => {
                let iso = iso_ms(random_epoch_ms(rng));
                out.lit(&format!(
                    "{} {},{} {:<5} [pool-{}-thread-{}] c.s.{}.Handler - ",
                    &iso[..10],
                    &iso[11..19],
                    &iso[20..23],
                    LEVELS_UPPER.choose(rng).copied().unwrap_or("INFO"),
                    rng.gen_range(1..9),
                    rng.gen_range(1..32),
                    service.replace('-', "")
                ));
            }
        }
        out.parts(&message, Esc::None);
    }
    logfmt_extras(rng, remaining, out);
}

fn access_log_line(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    let iso = iso_ms(random_epoch_ms(rng));
    let month = MONTHS[iso[5..7].parse::<usize>().unwrap_or(1).clamp(1, 12) - 1];
    let ip = if rng.gen_bool(0.8) { ipv4(rng) } else { ipv6(rng) };
    if rng.gen_bool(0.5) {
        out.pii("IP", &ip);
        let path = negative(rng, "PATH");
        out.lit(&format!(
            " - - [{}/{month}/{}:{} +0000] \"{} {path} HTTP/1.1\" {} {} \"-\" \"{}\" {}",
            &iso[8..10],
            &iso[..4],
            &iso[11..19],
            ["GET", "GET", "POST", "PUT"].choose(rng).copied().unwrap_or("GET"),
            negative(rng, "STATUS"),
            rng.gen_range(0..200_000),
            USER_AGENTS.choose(rng).copied().unwrap_or("curl/8.5.0"),
            negative(rng, "DUR"),
        ));
    } else {
        out.lit(&format!(
            "{month} {} {} bastion-{:02} sshd[{}]: Accepted publickey for deploy from ",
            iso[8..10].trim_start_matches('0'),
            &iso[11..19],
            rng.gen_range(1..10),
            rng.gen_range(300..65000)
        ));
        out.pii("IP", &ip);
        out.lit(&format!(
            " port {} ssh2: ED25519 SHA256:{}",
            rng.gen_range(1024..65535),
            base64::engine::general_purpose::STANDARD_NO_PAD.encode(rng.gen::<[u8; 32]>())
        ));
    }
    logfmt_extras(rng, pii.saturating_sub(1), out);
}

const MONTHS: [&str; 12] = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

/// The message parts, and how many personal values are still to be placed elsewhere in the line.
fn message_parts(rng: &mut ChaCha8Rng, pii: usize) -> (Vec<Part>, usize) {
    let template = if pii == 0 {
        CLEAN_MESSAGES.choose(rng)
    } else if pii >= 2 && rng.gen_bool(0.35) {
        TWO_PII_MESSAGES.choose(rng)
    } else if rng.gen_bool(0.85) {
        ONE_PII_MESSAGES.choose(rng)
    } else {
        // The personal values go into the extra fields only.
        CLEAN_MESSAGES.choose(rng)
    };
    let mut parts = Vec::new();
    expand(rng, template.copied().unwrap_or(""), &mut parts);
    let used = count_pii(&parts);
    (parts, pii.saturating_sub(used))
}

/// Appends ` key=value` fields: a few clean ones and `pii` personal ones, in random order.
fn logfmt_extras(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    for (key, parts) in extras(rng, pii, &[]) {
        out.lit(&format!(" {key}="));
        let quoted = parts.iter().any(|p| match p {
            Part::Lit(s) => s.contains(' '),
            Part::Pii(_, v) => v.contains(' '),
        });
        if quoted {
            out.lit("\"");
        }
        out.parts(&parts, Esc::None);
        if quoted {
            out.lit("\"");
        }
    }
}

/// Extra fields: up to three clean ones and `pii` personal ones, keys distinct and not in `reserved`.
fn extras(rng: &mut ChaCha8Rng, pii: usize, reserved: &[&str]) -> Vec<(&'static str, Vec<Part>)> {
    let mut chosen: Vec<(&'static str, &'static str)> = Vec::new();
    let clean = rng.gen_range(0..=3);
    for &(key, template) in CLEAN_EXTRAS.choose_multiple(rng, clean) {
        if !reserved.contains(&key) {
            chosen.push((key, template));
        }
    }
    let wanted = chosen.len() + pii;
    // Distinct keys: a real logger does not repeat a field.
    let mut candidates: Vec<(&'static str, &'static str)> = PII_EXTRAS.to_vec();
    candidates.shuffle(rng);
    for (key, template) in candidates {
        if chosen.len() >= wanted {
            break;
        }
        if !chosen.iter().any(|(k, _)| *k == key) && !reserved.contains(&key) {
            chosen.push((key, template));
        }
    }
    chosen.shuffle(rng);
    chosen
        .into_iter()
        .map(|(key, template)| {
            let mut parts = Vec::new();
            expand(rng, template, &mut parts);
            (key, parts)
        })
        .collect()
}

fn json_line(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    match rng.gen_range(0..10) {
        0 if pii > 0 => json_access_line(rng, pii, out),
        1 => json_webhook_line(rng, pii, out),
        _ => json_app_line(rng, pii, out),
    }
}

fn json_app_line(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    let (message, remaining) = message_parts(rng, pii);
    out.lit("{\"ts\":\"");
    out.iso_ts(rng);
    out.lit(&format!(
        "\",\"level\":\"{}\",\"service\":\"{}\",\"msg\":\"",
        LEVELS_LOWER.choose(rng).copied().unwrap_or("info"),
        SERVICES.choose(rng).copied().unwrap_or("api")
    ));
    out.parts(&message, Esc::Json);
    out.lit("\"");
    let fields = extras(rng, remaining, &[]);
    let nested = rng.gen_bool(0.3) && !fields.is_empty();
    let split = if nested { rng.gen_range(0..fields.len()) } else { fields.len() };
    for (index, (key, parts)) in fields.iter().enumerate() {
        if nested && index == split {
            out.lit(",\"context\":{");
        } else {
            out.lit(",");
        }
        json_value(key, parts, out);
    }
    if nested {
        out.lit("}");
    }
    out.lit("}");
}

/// Writes `"key":value`, as a JSON number when the value is a plain integer, else as a string.
fn json_value(key: &str, parts: &[Part], out: &mut Out) {
    out.lit(&format!("\"{key}\":"));
    let numeric = match parts {
        [Part::Lit(s)] => !s.is_empty() && s.len() < 16 && s.bytes().all(|b| b.is_ascii_digit()),
        _ => false,
    };
    if numeric {
        out.parts(parts, Esc::None);
    } else {
        out.lit("\"");
        out.parts(parts, Esc::Json);
        out.lit("\"");
    }
}

const ACCESS_KEYS: &[&str] = &["time", "remote_addr", "method", "path", "status", "bytes", "duration_ms", "user_agent"];

fn json_access_line(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    out.lit("{\"time\":\"");
    out.iso_ts(rng);
    out.lit("\",\"remote_addr\":\"");
    let ip = if rng.gen_bool(0.8) { ipv4(rng) } else { ipv6(rng) };
    out.pii("IP", &ip);
    let path = negative(rng, "PATH");
    out.lit(&format!(
        "\",\"method\":\"GET\",\"path\":\"{}\",\"status\":{},\"bytes\":{},\"duration_ms\":{},\"user_agent\":\"{}\"",
        path,
        negative(rng, "STATUS"),
        rng.gen_range(0..200_000),
        rng.gen_range(0..3000),
        USER_AGENTS.choose(rng).copied().unwrap_or("curl/8.5.0"),
    ));
    for (key, parts) in extras(rng, pii.saturating_sub(1), ACCESS_KEYS) {
        out.lit(",");
        json_value(key, &parts, out);
    }
    out.lit("}");
}

fn json_webhook_line(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    out.lit("{\"ts\":\"");
    out.iso_ts(rng);
    out.lit(&format!(
        "\",\"level\":\"info\",\"service\":\"intercom-webhooks\",\"topic\":\"conversation.user.replied\",\"conversation_id\":\"{}\",\"part_id\":{},\"body\":\"",
        rng.gen_range(10_000_000u64..99_999_999_999),
        rng.gen_range(1_000_000u64..99_999_999),
    ));
    let parts = html_parts(rng, pii);
    out.parts(&parts, Esc::Json);
    out.lit("\"}");
}

fn html_body(rng: &mut ChaCha8Rng, pii: usize, out: &mut Out) {
    let parts = html_parts(rng, pii);
    out.parts(&parts, Esc::None);
}

fn html_parts(rng: &mut ChaCha8Rng, pii: usize) -> Vec<Part> {
    let clean = rng.gen_range(1..=2);
    let mut paragraphs: Vec<&str> = HTML_CLEAN.choose_multiple(rng, clean).copied().collect();
    paragraphs.extend(HTML_ONE_PII.choose_multiple(rng, pii).copied());
    paragraphs.shuffle(rng);
    let greeting = HTML_GREETINGS.choose(rng).copied().unwrap_or("");
    let mut closing = HTML_CLOSINGS.choose(rng).copied().unwrap_or("");
    // A body without personal data is signed without a name.
    if pii == 0 && closing.contains("{SIGNED") {
        closing = UNSIGNED_CLOSING;
    }
    let mut parts = Vec::new();
    expand(rng, greeting, &mut parts);
    for paragraph in paragraphs {
        expand(rng, paragraph, &mut parts);
    }
    expand(rng, closing, &mut parts);
    parts
}

// ---------------------------------------------------------------------------------------------------------------
// Personal values.

fn email(rng: &mut ChaCha8Rng) -> String {
    let first = FIRST_NAMES.choose(rng).copied().unwrap_or("anna");
    let last = LAST_NAMES.choose(rng).copied().unwrap_or("smith");
    let domain = EMAIL_DOMAINS.choose(rng).copied().unwrap_or("example.com");
    let local = match rng.gen_range(0..7) {
        0 => format!("{first}.{last}"),
        1 => format!("{first}+{}", ["news", "shop", "billing", "2025"].choose(rng).copied().unwrap_or("x")),
        2 => format!("{}.{last}", &first[..1]),
        3 => format!("{first}_{last}{}", rng.gen_range(1..100)),
        4 => format!("{first}{}", rng.gen_range(70..100)),
        5 => format!("{first}.{last}.{}", rng.gen_range(1..10)),
        _ => format!("{}{last}", &first[..1]),
    };
    let address = format!("{local}@{domain}");
    match rng.gen_range(0..10) {
        0 => address.to_uppercase(),
        1 => format!("{}@{}", capitalize_dotted(&local), domain),
        _ => address,
    }
}

fn phone(rng: &mut ChaCha8Rng) -> String {
    let number = match rng.gen_range(0..10) {
        0..=4 => {
            let (area, exchange, line) = nanp(rng);
            match rng.gen_range(0..6) {
                0 => format!("+1{area}{exchange}{line}"),
                1 => format!("({area}) {exchange}-{line}"),
                2 => format!("{area}.{exchange}.{line}"),
                3 => format!("{area}-{exchange}-{line}"),
                4 => format!("+1 {area} {exchange} {line}"),
                _ => format!("+1-{area}-{exchange}-{line}"),
            }
        }
        _ => international(rng),
    };
    if rng.gen_bool(0.1) {
        format!("{number} x{}", rng.gen_range(10..10000))
    } else {
        number
    }
}

fn nanp(rng: &mut ChaCha8Rng) -> (String, String, String) {
    // NXX: first digit 2-9, and not N11.
    let nxx = |rng: &mut ChaCha8Rng| loop {
        let v: u32 = rng.gen_range(200..1000);
        if v % 100 != 11 {
            return v.to_string();
        }
    };
    let area = nxx(rng);
    let exchange = nxx(rng);
    (area, exchange, format!("{:04}", rng.gen_range(0..10000)))
}

fn digits(rng: &mut ChaCha8Rng, n: usize) -> String {
    (0..n).map(|_| char::from(b'0' + rng.gen_range(0..10u8))).collect()
}

fn international(rng: &mut ChaCha8Rng) -> String {
    let d = |rng: &mut ChaCha8Rng, n| digits(rng, n);
    match rng.gen_range(0..12) {
        0 => format!("+44 20 {} {}", d(rng, 4), d(rng, 4)),
        1 => format!("+44 7700 {}", d(rng, 6)),
        2 => format!("+49 30 {}", d(rng, 8)),
        3 => format!("+49 151 {}", d(rng, 8)),
        4 => format!("+33 6 {} {} {} {}", d(rng, 2), d(rng, 2), d(rng, 2), d(rng, 2)),
        5 => format!("+34 6{} {} {}", d(rng, 2), d(rng, 3), d(rng, 3)),
        6 => format!("+39 3{} {} {}", d(rng, 2), d(rng, 3), d(rng, 4)),
        7 => format!("+31 6 {}", d(rng, 8)),
        8 => format!("+46 70 {} {} {}", d(rng, 3), d(rng, 2), d(rng, 2)),
        9 => format!("+48 5{} {} {}", d(rng, 2), d(rng, 3), d(rng, 3)),
        10 => format!("+353 87 {} {}", d(rng, 3), d(rng, 4)),
        // Written without spaces, as many as each plan has after the country code (ten in the UK and Germany,
        // nine in France, Spain and the Netherlands).
        _ => {
            let (country, len) =
                [("44", 9), ("49", 9), ("33", 8), ("34", 8), ("31", 8)].choose(rng).copied().unwrap_or(("44", 9));
            format!("+{country}{}{}", rng.gen_range(1..10), d(rng, len))
        }
    }
}

/// A national European number; templates put a context word ("mobile", "tel") before it.
fn phone_national_eu(rng: &mut ChaCha8Rng) -> String {
    let d = |rng: &mut ChaCha8Rng, n| digits(rng, n);
    match rng.gen_range(0..7) {
        0 => format!("020 {} {}", d(rng, 4), d(rng, 4)),
        1 => format!("07700 {}", d(rng, 6)),
        2 => format!("030 {}", d(rng, 8)),
        3 => format!("0151 {}", d(rng, 8)),
        4 => format!("06 {} {} {} {}", d(rng, 2), d(rng, 2), d(rng, 2), d(rng, 2)),
        5 => format!("06-{}", d(rng, 8)),
        _ => format!("070-{} {} {}", d(rng, 3), d(rng, 2), d(rng, 2)),
    }
}

/// A Luhn-valid card number with a correct issuer prefix, grouped like the card prints it.
fn card(rng: &mut ChaCha8Rng) -> String {
    let (prefix, len): (String, usize) = match rng.gen_range(0..10) {
        0 | 1 => ("4".into(), 16),
        2 => ("4".into(), 19),
        3 => (rng.gen_range(51..=55).to_string(), 16),
        4 => (rng.gen_range(2221..=2720).to_string(), 16),
        5 => (["34", "37"].choose(rng).copied().unwrap_or("34").into(), 15),
        6 => (["6011", "65", "644", "649"].choose(rng).copied().unwrap_or("6011").into(), 16),
        7 => (rng.gen_range(3528..=3589).to_string(), 16),
        8 => (
            ["5018", "5020", "5038", "5893", "6304", "6759", "6761", "6763"]
                .choose(rng)
                .copied()
                .unwrap_or("6759")
                .into(),
            rng.gen_range(12..=19),
        ),
        _ => ("36".into(), 14),
    };
    let mut number = prefix;
    while number.len() < len - 1 {
        number.push(char::from(b'0' + rng.gen_range(0..10u8)));
    }
    number.push(char::from(b'0' + luhn_check_digit(&number)));
    let groups: Vec<usize> = match len {
        15 => vec![4, 6, 5],
        14 => vec![4, 6, 4],
        n if n % 4 == 1 => {
            let mut g = vec![4; n / 4 - 1];
            g.push(5);
            g
        }
        n => {
            let mut g = vec![4; n / 4];
            if n % 4 != 0 {
                g.push(n % 4);
            }
            g
        }
    };
    let sep = match rng.gen_range(0..5) {
        0 | 1 => "",
        2 | 3 => " ",
        _ => "-",
    };
    group(&number, &groups, sep)
}

fn group(number: &str, groups: &[usize], sep: &str) -> String {
    let mut out = String::with_capacity(number.len() + groups.len());
    let mut at = 0;
    for (i, g) in groups.iter().enumerate() {
        if i > 0 {
            out.push_str(sep);
        }
        out.push_str(&number[at..at + g]);
        at += g;
    }
    out
}

/// The Luhn check digit for `payload` (ASCII digits).
pub(crate) fn luhn_check_digit(payload: &str) -> u8 {
    let mut sum = 0u32;
    for (i, b) in payload.bytes().rev().enumerate() {
        let mut v = u32::from(b - b'0');
        if i % 2 == 0 {
            v *= 2;
            if v > 9 {
                v -= 9;
            }
        }
        sum += v;
    }
    ((10 - sum % 10) % 10) as u8
}

/// Whether a digit string passes the Luhn check.
#[cfg(test)]
pub(crate) fn luhn_valid(number: &str) -> bool {
    let (payload, check) = number.split_at(number.len() - 1);
    luhn_check_digit(payload) == check.as_bytes()[0] - b'0'
}

fn luhn_invalid(rng: &mut ChaCha8Rng) -> String {
    let mut number = ["4", "5", "3", "6"].choose(rng).copied().unwrap_or("4").to_string();
    number.push_str(&digits(rng, 14));
    let bad = (luhn_check_digit(&number) + rng.gen_range(1..10)) % 10;
    number.push(char::from(b'0' + bad));
    number
}

/// Country, BBAN pattern (`a` letter, `n` digit).
const IBAN_COUNTRIES: &[(&str, &str)] = &[
    ("DE", "nnnnnnnnnnnnnnnnnn"),
    ("GB", "aaaannnnnnnnnnnnnn"),
    ("FR", "nnnnnnnnnnnnnnnnnnnnnnn"),
    ("ES", "nnnnnnnnnnnnnnnnnnnn"),
    ("IT", "annnnnnnnnnnnnnnnnnnnnn"),
    ("NL", "aaaannnnnnnnnn"),
    ("BE", "nnnnnnnnnnnn"),
    ("CH", "nnnnnnnnnnnnnnnnn"),
    ("AT", "nnnnnnnnnnnnnnnn"),
    ("PL", "nnnnnnnnnnnnnnnnnnnnnnnn"),
    ("IE", "aaaannnnnnnnnnnnnn"),
    ("PT", "nnnnnnnnnnnnnnnnnnnnn"),
    ("SE", "nnnnnnnnnnnnnnnnnnnn"),
    ("DK", "nnnnnnnnnnnnnn"),
    ("FI", "nnnnnnnnnnnnnn"),
    ("NO", "nnnnnnnnnnn"),
    ("LU", "nnnnnnnnnnnnnnnn"),
];

/// An IBAN with valid mod-97 check digits, compact or in groups of four (separated by spaces, or dashes).
fn iban(rng: &mut ChaCha8Rng) -> String {
    let (country, pattern) = IBAN_COUNTRIES.choose(rng).copied().unwrap_or(("DE", "nnnn"));
    let bban: String = pattern
        .bytes()
        .map(|p| {
            if p == b'a' {
                char::from(b'A' + rng.gen_range(0..26u8))
            } else {
                char::from(b'0' + rng.gen_range(0..10u8))
            }
        })
        .collect();
    let check = 98 - iban_mod97(&format!("{bban}{country}00"));
    let compact = format!("{country}{check:02}{bban}");
    if rng.gen_bool(0.5) {
        compact
    } else {
        let groups: Vec<usize> = (0..compact.len().div_ceil(4)).map(|i| (compact.len() - i * 4).min(4)).collect();
        group(&compact, &groups, if rng.gen_bool(0.8) { " " } else { "-" })
    }
}

/// The mod-97 remainder of an IBAN-ordered alphanumeric string (letters count as 10..35).
pub(crate) fn iban_mod97(rearranged: &str) -> u32 {
    let mut rem = 0u32;
    for b in rearranged.bytes() {
        if b.is_ascii_digit() {
            rem = (rem * 10 + u32::from(b - b'0')) % 97;
        } else {
            let v = u32::from(b.to_ascii_uppercase() - b'A') + 10;
            rem = (rem * 100 + v) % 97;
        }
    }
    rem
}

fn ssn(rng: &mut ChaCha8Rng) -> String {
    let area = loop {
        let a = rng.gen_range(1..900);
        if a != 666 {
            break a;
        }
    };
    format!("{area:03}-{:02}-{:04}", rng.gen_range(1..100), rng.gen_range(1..10000))
}

fn ipv4(rng: &mut ChaCha8Rng) -> String {
    let last = rng.gen_range(1..255);
    match rng.gen_range(0..6) {
        0 => format!("10.{}.{}.{last}", rng.gen_range(0..256), rng.gen_range(0..256)),
        1 => format!("192.168.{}.{last}", rng.gen_range(0..256)),
        2 => format!("172.{}.{}.{last}", rng.gen_range(16..32), rng.gen_range(0..256)),
        _ => {
            let first = loop {
                let f = rng.gen_range(1..224);
                if ![10, 127, 169, 172, 192].contains(&f) {
                    break f;
                }
            };
            format!("{first}.{}.{}.{last}", rng.gen_range(0..256), rng.gen_range(0..256))
        }
    }
}

fn ipv6(rng: &mut ChaCha8Rng) -> String {
    let mut groups = [0u16; 8];
    let prefix: [u16; 2] = *[[0x2001, 0x0db8], [0x2a02, 0x0810], [0xfe80, 0x0000], [0x2606, 0x4700]]
        .choose(rng)
        .unwrap_or(&[0x2001, 0x0db8]);
    groups[..2].copy_from_slice(&prefix);
    for g in groups.iter_mut().skip(2) {
        *g = rng.gen();
    }
    // A run of zero groups, as real addresses have.
    let zero_len = rng.gen_range(0..=4);
    let zero_at = rng.gen_range(2..=8 - zero_len);
    for g in groups.iter_mut().skip(zero_at).take(zero_len) {
        *g = 0;
    }
    let text = if rng.gen_bool(0.3) {
        groups.iter().map(|g| format!("{g:04x}")).collect::<Vec<_>>().join(":")
    } else {
        ipv6_compressed(&groups)
    };
    if rng.gen_bool(0.1) {
        text.to_uppercase()
    } else {
        text
    }
}

/// RFC 5952 text: no leading zeros, the longest run (of two or more) of zero groups as `::`.
fn ipv6_compressed(groups: &[u16; 8]) -> String {
    let (mut best_at, mut best_len) = (0, 0);
    let mut i = 0;
    while i < 8 {
        if groups[i] == 0 {
            let start = i;
            while i < 8 && groups[i] == 0 {
                i += 1;
            }
            if i - start > best_len {
                best_at = start;
                best_len = i - start;
            }
        } else {
            i += 1;
        }
    }
    let hex = |gs: &[u16]| gs.iter().map(|g| format!("{g:x}")).collect::<Vec<_>>().join(":");
    if best_len < 2 {
        hex(groups)
    } else {
        format!("{}::{}", hex(&groups[..best_at]), hex(&groups[best_at + best_len..]))
    }
}

fn mac(rng: &mut ChaCha8Rng) -> String {
    let bytes: [u8; 6] = rng.gen();
    let hex: Vec<String> = bytes.iter().map(|b| format!("{b:02x}")).collect();
    match rng.gen_range(0..3) {
        0 => hex.join(":"),
        1 => hex.join("-").to_uppercase(),
        _ => hex.join(":").to_uppercase(),
    }
}

fn api_key(rng: &mut ChaCha8Rng) -> String {
    const URL_SAFE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    match rng.gen_range(0..9) {
        0 => format!("sk_live_{}", mixed_alnum(rng, 24)),
        1 => format!("sk_test_{}", mixed_alnum(rng, 24)),
        2 => format!("ghp_{}", mixed_alnum(rng, 36)),
        3 => format!("github_pat_{}_{}", mixed_alnum(rng, 22), mixed_alnum(rng, 59)),
        4 => format!("xoxb-{}-{}-{}", digits(rng, 12), digits(rng, 13), mixed_alnum(rng, 24)),
        5 => {
            const B32: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZ234567";
            format!("AKIA{}", from_alphabet(rng, B32, 16))
        }
        6 => format!("AIza{}", from_alphabet(rng, URL_SAFE, 35)),
        7 => format!("glpat-{}", from_alphabet(rng, URL_SAFE, 20)),
        _ => intercom_token(rng),
    }
}

/// An Intercom access token: base64 of `tok:<uuid>:1:0`, so it starts with `dG9rO`.
fn intercom_token(rng: &mut ChaCha8Rng) -> String {
    base64::engine::general_purpose::STANDARD.encode(format!("tok:{}:1:0", uuid(rng)))
}

fn bearer_token(rng: &mut ChaCha8Rng) -> String {
    match rng.gen_range(0..4) {
        0 | 1 => {
            let b64 = &base64::engine::general_purpose::URL_SAFE_NO_PAD;
            let header = b64.encode(br#"{"alg":"HS256","typ":"JWT"}"#);
            let iat = random_epoch_ms(rng) / 1000;
            let payload = b64.encode(format!(
                "{{\"sub\":\"{}\",\"iat\":{iat},\"exp\":{}}}",
                rng.gen_range(1..10_000_000),
                iat + 3600
            ));
            let signature: [u8; 32] = rng.gen();
            format!("{header}.{payload}.{}", b64.encode(signature))
        }
        2 => intercom_token(rng),
        _ => {
            const OPAQUE: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.";
            let len = rng.gen_range(32..=64);
            from_alphabet(rng, OPAQUE, len)
        }
    }
}

fn url_credentials(rng: &mut ChaCha8Rng) -> String {
    const PASSWORD: &[u8] = b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_.~";
    let user = match rng.gen_range(0..4) {
        0 => "admin".to_string(),
        1 => "app_user".to_string(),
        2 => "deploy".to_string(),
        _ => FIRST_NAMES.choose(rng).copied().unwrap_or("anna").to_string(),
    };
    let len = rng.gen_range(8..=20);
    format!("{user}:{}", from_alphabet(rng, PASSWORD, len))
}

// ---------------------------------------------------------------------------------------------------------------
// Small helpers.

fn uuid(rng: &mut ChaCha8Rng) -> String {
    let mut b: [u8; 16] = rng.gen();
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    let h = hex::encode(b);
    format!("{}-{}-{}-{}-{}", &h[..8], &h[8..12], &h[12..16], &h[16..20], &h[20..])
}

/// Lowercase hex with at least one letter, so that it never reads as a plain number.
fn hex_id(rng: &mut ChaCha8Rng, len: usize) -> String {
    let mut s = from_alphabet(rng, b"0123456789abcdef", len);
    if !s.bytes().any(|b| b.is_ascii_alphabetic()) {
        let at = rng.gen_range(0..len);
        let letter = char::from(b'a' + rng.gen_range(0..6u8));
        s.replace_range(at..at + 1, letter.encode_utf8(&mut [0; 4]));
    }
    s
}

fn from_alphabet(rng: &mut ChaCha8Rng, alphabet: &[u8], len: usize) -> String {
    (0..len).map(|_| char::from(alphabet[rng.gen_range(0..alphabet.len())])).collect()
}

fn mixed_alnum(rng: &mut ChaCha8Rng, len: usize) -> String {
    from_alphabet(rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789", len)
}

fn upper_alnum(rng: &mut ChaCha8Rng, len: usize) -> String {
    from_alphabet(rng, b"ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789", len)
}

/// Lowercase letters and digits as in k8s pod names (`with_digits` false: the 5-char suffix alphabet).
fn lower_alnum(rng: &mut ChaCha8Rng, len: usize, with_digits: bool) -> String {
    if with_digits {
        from_alphabet(rng, b"0123456789abcdef", len)
    } else {
        from_alphabet(rng, b"bcdfghjklmnpqrstvwxz2456789", len)
    }
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}

fn capitalize_dotted(s: &str) -> String {
    s.split('.').map(capitalize).collect::<Vec<_>>().join(".")
}

/// A random instant in 2025-2026, in milliseconds since the Unix epoch.
fn random_epoch_ms(rng: &mut ChaCha8Rng) -> u64 {
    rng.gen_range(1_735_689_600_000u64..1_798_761_600_000)
}

/// `YYYY-MM-DDTHH:MM:SS.mmmZ` for milliseconds since the Unix epoch.
pub(crate) fn iso_ms(ms: u64) -> String {
    let secs = ms / 1000;
    let (y, m, d) = civil_from_days((secs / 86_400) as i64);
    let sod = secs % 86_400;
    format!("{y:04}-{m:02}-{d:02}T{:02}:{:02}:{:02}.{:03}Z", sod / 3600, (sod / 60) % 60, sod % 60, ms % 1000)
}

/// Days since 1970-01-01 to (year, month, day), from the shared calendar.
pub(crate) fn civil_from_days(days: i64) -> (i64, u32, u32) {
    let date = crate::calendar::CivilDate::from_days_since_epoch(days);
    (i64::from(date.year()), u32::from(date.month()), u32::from(date.day()))
}

#[cfg(test)]
mod tests {
    use std::collections::BTreeMap;

    use super::*;

    const SEED: u64 = 20_261_129;

    #[test]
    fn spans_are_non_empty_on_char_boundaries_and_sorted() {
        println!("seed {SEED}");
        let samples = generate(SEED, 3000);
        for sample in &samples {
            let mut last_end = 0;
            for span in &sample.spans {
                assert!(span.start < span.end, "empty span in {}", sample.id);
                assert!(sample.text.get(span.start..span.end).is_some(), "span off char boundary in {}", sample.id);
                assert!(span.start >= last_end, "overlapping spans in {}", sample.id);
                last_end = span.end;
                assert!(crate::quality::ENTITIES.contains(&span.entity.as_str()));
            }
            assert!(!sample.text.contains('\n'), "multi-line sample {}", sample.id);
        }
    }

    #[test]
    fn generator_is_deterministic_per_seed_and_differs_across_seeds() {
        println!("seeds {SEED} and {}", SEED + 1);
        let a = generate(SEED, 200);
        let b = generate(SEED, 200);
        let c = generate(SEED + 1, 200);
        assert_eq!(a, b);
        let same = a.iter().zip(&c).filter(|(x, y)| x.text == y.text).count();
        assert!(same < 5, "{same} identical samples across seeds");
    }

    #[test]
    fn mix_of_kinds_and_pii_is_as_documented() {
        println!("seed {SEED}");
        let samples = generate(SEED, 4000);
        let n = samples.len() as f64;
        let share = |f: SampleFormat| samples.iter().filter(|s| s.format == f).count() as f64 / n;
        assert!((0.40..0.50).contains(&share(SampleFormat::Text)));
        assert!((0.35..0.45).contains(&share(SampleFormat::Json)));
        assert!((0.11..0.19).contains(&share(SampleFormat::Html)));
        let with_pii = samples.iter().filter(|s| !s.spans.is_empty()).count() as f64 / n;
        assert!((0.45..0.55).contains(&with_pii), "with pii {with_pii}");
        let mut per_entity: BTreeMap<&str, usize> = BTreeMap::new();
        for span in samples.iter().flat_map(|s| &s.spans) {
            *per_entity.entry(span.entity.as_str()).or_default() += 1;
        }
        println!("{per_entity:?}");
        for entity in crate::quality::ENTITIES {
            assert!(per_entity.get(entity).copied().unwrap_or(0) >= 40, "too few {entity}");
        }
    }

    #[test]
    fn json_samples_parse_and_html_is_single_line_markup() {
        println!("seed {SEED}");
        for sample in generate(SEED, 2000) {
            match sample.format {
                SampleFormat::Json => {
                    let value: serde_json::Value = serde_json::from_str(&sample.text)
                        .unwrap_or_else(|e| panic!("{}: {e}: {}", sample.id, sample.text));
                    assert!(value.is_object());
                    // Compact, no duplicate keys: re-serializing gives the same text back.
                    assert_eq!(serde_json::to_string(&value).unwrap(), sample.text);
                }
                SampleFormat::Html => {
                    assert!(sample.text.starts_with("<p>") && sample.text.ends_with("</p>"));
                }
                SampleFormat::Text => {}
            }
        }
    }

    #[test]
    fn generated_values_are_valid() {
        println!("seed {SEED}");
        for sample in generate(SEED, 3000) {
            for span in &sample.spans {
                let value = &sample.text[span.start..span.end];
                let compact: String = value.chars().filter(|c| c.is_ascii_alphanumeric()).collect();
                match span.entity.as_str() {
                    "CARD" => {
                        assert!((12..=19).contains(&compact.len()), "{value}");
                        assert!(luhn_valid(&compact), "{value}");
                    }
                    "IBAN" => {
                        let rearranged = format!("{}{}", &compact[4..], &compact[..4]);
                        assert_eq!(iban_mod97(&rearranged), 1, "{value}");
                    }
                    "SSN" => {
                        let area: u32 = value[..3].parse().unwrap();
                        assert!(area != 0 && area != 666 && area < 900, "{value}");
                        assert_eq!(value.len(), 11);
                    }
                    "IP" => {
                        assert!(value.parse::<std::net::IpAddr>().is_ok(), "{value}");
                    }
                    "EMAIL" => assert_eq!(value.matches('@').count(), 1, "{value}"),
                    "SECRET" if value.starts_with("dG9r") => {
                        let decoded = base64::engine::general_purpose::STANDARD.decode(value).unwrap();
                        assert!(decoded.starts_with(b"tok:"));
                    }
                    "PHONE" => {
                        let last = value.chars().last().unwrap();
                        assert!(last.is_ascii_digit(), "{value}");
                        let first = value.chars().next().unwrap();
                        assert!(first == '+' || first == '(' || first.is_ascii_digit());
                    }
                    "CREDENTIALS" => assert_eq!(value.matches(':').count(), 1, "{value}"),
                    _ => {}
                }
            }
        }
    }

    #[test]
    fn negatives_are_not_valid_identifiers() {
        println!("seed {SEED}");
        let mut rng = ChaCha8Rng::seed_from_u64(SEED);
        for _ in 0..500 {
            let bad = negative(&mut rng, "LUHNBAD");
            assert_eq!(bad.len(), 16);
            assert!(!luhn_valid(&bad), "{bad}");
            let nanp = negative(&mut rng, "BADNANP");
            let area_or_exchange_bad = nanp.starts_with(['0', '1']) || nanp[4..].starts_with(['0', '1']);
            assert!(area_or_exchange_bad, "{nanp}");
        }
    }

    #[test]
    fn helpers_match_known_values() {
        assert!(luhn_valid("4111111111111111"));
        assert!(!luhn_valid("4111111111111112"));
        assert_eq!(iban_mod97("370400440532013000DE89"), 1);
        assert_eq!(iso_ms(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(iso_ms(1_764_412_937_123), "2025-11-29T10:42:17.123Z");
        let groups = [0x2001, 0xdb8, 0, 0, 0, 0xff00, 0x42, 0x8329];
        assert_eq!(ipv6_compressed(&groups), "2001:db8::ff00:42:8329");
    }

    #[test]
    fn jsonl_round_trips() {
        let samples = generate(SEED, 50);
        let mut buf = Vec::new();
        write_jsonl(&samples, &mut buf).unwrap();
        let back = read_jsonl(buf.as_slice()).unwrap();
        assert_eq!(back, samples);
        let err = read_jsonl(&b"{\"id\":1}\n"[..]).unwrap_err();
        assert!(err.to_string().contains("line 1"), "{err}");
    }
}
