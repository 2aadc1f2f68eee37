//! The detectors: validators run at the anchors of a text, giving non-overlapping findings.
//!
//! The anchors (see `anchors.rs`) are found for a whole line at once: `@` and `%40` (emails, URL credentials),
//! number starts and `:` pairs (phones, cards, SSNs, IBANs, IPs, MACs), secret prefixes (found at word starts
//! through their first two bytes, see `SecretPrefixes`), `=` and `:` (`email=...`, `"name": ...` under a
//! classified key). The detectors look only there; the user's own regexes run over the whole text.

use super::anchors::{Anchor, View};
use super::commands;
use super::context::ContextWords;
use super::names::NameCues;
use super::{same_bytes, KeyCache, KeyTag};

use crate::pii::phone::{self, Region};
use crate::pii::validate;
use crate::rules::{Action, DetectorKind, EntityId, KeyPath, PatternRule, Rules, TextValue, ValueShape};

/// One thing found: a byte range of the scanned text, what it is, and what to do with it.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Finding {
    pub start: usize,
    pub end: usize,
    pub entity: EntityId,
    pub action: Action,
}

/// What the text being scanned is, as far as the detectors care: what the JSON key of the value says, as bits
/// of one byte (a JSON walker's treatment of a member, which holds it, stays eight bytes).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ScanContext(u8);

impl ScanContext {
    /// The key mentions a phone (`contactPhone`), so phone-shaped numbers count as phones.
    pub const PHONE_KEY: u8 = 1;
    /// The key mentions an SSN.
    pub const SSN_KEY: u8 = 2;
    /// The key is one of the phone detector's `e164_keys` (`to`, `dst`): digits alone that a plan confirms are a
    /// phone (see `Detectors::e164_digits`).
    pub const E164_KEY: u8 = 4;
    /// The key names a thing (the name detector's `thing_keys`: `merchant`, `productName`): a given name at the
    /// value's start starts no name (`"merchant":"Tim Hortons"`).
    pub const THING_KEY: u8 = 8;

    /// This context with `flag` set when `on`.
    pub fn with(self, flag: u8, on: bool) -> ScanContext {
        ScanContext(if on { self.0 | flag } else { self.0 })
    }

    pub fn phone_key(self) -> bool {
        self.0 & Self::PHONE_KEY != 0
    }

    pub fn ssn_key(self) -> bool {
        self.0 & Self::SSN_KEY != 0
    }

    pub fn e164_key(self) -> bool {
        self.0 & Self::E164_KEY != 0
    }

    pub fn thing_key(self) -> bool {
        self.0 & Self::THING_KEY != 0
    }
}

/// Remembers the classification of the keys of `key=value` pairs, so a key seen before costs a hash and a
/// compare instead of a rule lookup. Keyed by the exact key bytes: a hit is always what a lookup would say.
#[derive(Debug, Default)]
pub struct KeyMemo {
    path: KeyPath,
    slots: RuleSlots,
}

/// The `key=` memo: 2,048 slots; a value of `None` means the key replaces nothing.
type RuleSlots = KeyCache<Option<KeyRule>, 11>;

/// What the rules say of the values under a key in text: their entity, the action that replaces them, and how
/// far a value reaches.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct KeyRule {
    entity: EntityId,
    action: Action,
    text_value: TextValue,
    /// The shape a value must have for the rule to apply to it.
    shape: ValueShape,
    /// A rule limited to object types matches the key too: inside such an object, the rule may be another.
    typed: bool,
}

impl KeyMemo {
    /// The rule that replaces the values under the key `text[start..end]` (a dotted key such as `user.email`), if
    /// any.
    #[inline(always)]
    fn lookup(&mut self, rules: &Rules, text: &[u8], start: usize, end: usize) -> Option<KeyRule> {
        let key = &text[start..end];
        let tag = KeyTag::of(text, start, end);
        let slot = RuleSlots::slot(tag, 0);
        if let Some(rule) = self.slots.get(slot, key, tag) {
            return rule;
        }
        self.compute(rules, key, slot, tag)
    }

    /// The entity and action that replace the values under `key` (as written, dotted or not), if any: the name of
    /// a JSON name/value pair (`{"name":"DB_PASSWORD","value":...}`) is classified as the key of a text pair is.
    /// A rule whose values must have a shape is none here: the callers push values of any shape.
    pub(crate) fn replacing_rule(&mut self, rules: &Rules, key: &[u8]) -> Option<(EntityId, Action)> {
        self.shaped_replacing_rule(rules, key).filter(|rule| rule.2 == ValueShape::Any).map(|rule| (rule.0, rule.1))
    }

    /// `replacing_rule` with the shape the rule asks of a value (`ValueShape::Any` for most).
    pub(crate) fn shaped_replacing_rule(
        &mut self,
        rules: &Rules,
        key: &[u8],
    ) -> Option<(EntityId, Action, ValueShape)> {
        self.lookup(rules, key, 0, key.len()).map(|rule| (rule.entity, rule.action, rule.shape))
    }

    /// Pushes `start..end` as a value of the field `key` (a SQL column, `display_name`, `username`) when the rules
    /// replace that field's values.
    pub(crate) fn push_as_value_of(
        &mut self,
        rules: &Rules,
        key: &[u8],
        text: &[u8],
        (start, end): (usize, usize),
        out: &mut Vec<Finding>,
    ) {
        if let Some((entity, action)) = self.replacing_rule(rules, key) {
            if !rules.names_no_value(entity, key, &text[start..end]) {
                out.push(Finding { start, end, entity, action });
            }
        }
    }

    /// `lookup` for a key the memo does not hold: matched against the rules, then stored.
    #[cold]
    #[inline(never)]
    fn compute(&mut self, rules: &Rules, key: &[u8], slot: usize, tag: KeyTag) -> Option<KeyRule> {
        if let Some(rule) = self.slots.get_other(slot, key, tag) {
            return rule;
        }
        let rule = self.rule_of(rules, key).or_else(|| {
            // A numbered parameter (Entity Framework's `@__dob_1`, `name_0`) is its field's: the number only
            // orders the parameters of one statement.
            let digits = key.iter().rev().take_while(|b| b.is_ascii_digit()).count();
            let name = key[..key.len() - digits].strip_suffix(b"_").filter(|_| digits > 0)?;
            self.rule_of(rules, name)
        });
        self.slots.put(slot, key, tag, rule);
        rule
    }

    /// The rule that replaces the values under `key` inside an object of type `object_type` (as written), from the
    /// rules themselves: not memoized, since the memo is keyed by the key alone.
    #[cold]
    #[inline(never)]
    fn typed_rule(&mut self, rules: &Rules, key: &[u8], object_type: &[u8]) -> Option<KeyRule> {
        self.path.clear();
        self.path.set_object_type(object_type);
        self.rule_with_path(rules, key)
    }

    /// The rule that replaces the values under `key` (dotted or not), from the rules themselves.
    fn rule_of(&mut self, rules: &Rules, key: &[u8]) -> Option<KeyRule> {
        self.path.clear();
        self.rule_with_path(rules, key)
    }

    /// `rule_of` after the path was cleared (and its object type set or not).
    fn rule_with_path(&mut self, rules: &Rules, key: &[u8]) -> Option<KeyRule> {
        for segment in key.split(|&b| b == b'.') {
            if !segment.is_empty() {
                self.path.push(segment);
            }
        }
        rules.field_rule(&self.path).filter(|rule| rule.action.replaces()).map(|rule| {
            let action = if rule.action == Action::DropField { Action::Redact } else { rule.action };
            let typed = rules.has_object_types() && rules.has_typed_rule_for(&self.path);
            KeyRule { entity: rule.entity, action, text_value: rule.text_value, shape: rule.shape, typed }
        })
    }
}

/// Everything the detectors need, compiled once from the rules.
#[derive(Debug)]
pub struct Detectors {
    enabled: [bool; DetectorKind::ALL.len()],
    actions: [Action; DetectorKind::ALL.len()],
    regions: Vec<Region>,
    phone_context: Option<ContextWords>,
    /// The phone detector's `e164_keys`, read as the labels of numbers.
    e164_keys: Option<ContextWords>,
    /// The rules' `phone_labels`: the labels of a phone in a signature (`tel`, `mobiel`).
    phone_labels: Vec<Box<[u8]>>,
    phone_context_after: Vec<Vec<u8>>,
    /// The bytes an after-word starts with, in either ASCII case: most numbers are followed by none.
    phone_after_first: [bool; 256],
    ssn_context: Option<ContextWords>,
    /// Words that say a date is someone's birth date (the `labels` of `date_of_birth`'s entry), and the entity and action of the field
    /// `date_of_birth` when the rules replace it.
    birth_context: Option<ContextWords>,
    birth_date: Option<(EntityId, Action)>,
    /// The entities whose value a name in parentheses right after belongs to (`+49 1520 9876543 (Ayşe Kaya)`,
    /// `fødselsnummer 17058809128 (Ingrid Haugen)`): emails, phones, SSNs and the fields with labels in prose
    /// that are not secrets or birth dates (`password=… (Never Expires)`, `dob … (Leap Year)`).
    named_after: Vec<EntityId>,
    secrets: SecretPrefixes,
    patterns: Vec<PatternRule>,
    pattern_context: Vec<Option<ContextWords>>,
    name_cues: NameCues,
    /// The `labels` of the fields (`PESEL`, `hetu`, `Steuer-ID`): a number after one in prose is that field's.
    labels: LabelWords,
}

/// The `labels` of every `[[fields]]` entry, compiled into one word list: the words in capitals count only so
/// written (`CPR`, not `cpr`), the others in any case. Each word knows its entry.
#[derive(Debug, Default)]
struct LabelWords {
    words: Option<ContextWords>,
    /// The last words of the labels of more than one word (`number` of `ni number`), for `adjacent`.
    last_words: Option<ContextWords>,
    /// The entry of each word, as an index into `fields`.
    field_of_word: Vec<usize>,
    /// Per entry: its entity, action, and whether it is a secret's.
    fields: Vec<(EntityId, Action, bool)>,
    /// The secrets' words of a script written without spaces (`密码是`, `パスワードは`), which the value follows
    /// glued (`密码是PqX8MvuOF~51`), and the index of their entry.
    glued_secret_words: Vec<(Vec<u8>, usize)>,
}

impl LabelWords {
    fn new(entries: &[crate::rules::FieldLabels]) -> LabelWords {
        let in_capitals =
            |word: &str| word.bytes().any(|b| b.is_ascii_uppercase()) && !word.bytes().any(|b| b.is_ascii_lowercase());
        let mut labels = LabelWords::default();
        let mut words = Vec::new();
        for (index, entry) in entries.iter().enumerate() {
            // A dropped field's value in a text is replaced, as under its key (see `KeyMemo::rule_of`).
            let action = if entry.action == Action::DropField { Action::Redact } else { entry.action };
            labels.fields.push((entry.entity, action, entry.secret));
            for word in entry.words.iter().filter(|word| !word.is_empty()) {
                words.push(word.clone());
                labels.field_of_word.push(index);
                if entry.secret && word.chars().next().is_some_and(super::context::written_without_spaces) {
                    labels.glued_secret_words.push((word.as_bytes().to_vec(), index));
                }
            }
        }
        let last_words: Vec<String> =
            words.iter().filter_map(|word| word.rsplit_once(' ').map(|(_, last)| last.to_string())).collect();
        labels.words = ContextWords::compile(&words, in_capitals);
        labels.last_words = ContextWords::compile(&last_words, in_capitals);
        labels
    }

    /// True when a label stands right before `start` (past spaces, `:`, `#`, `(`): the word there is a label,
    /// starts with one (`TAJ-számom`) or ends one (`sécurité sociale`), past at most `skip` words of four bytes
    /// or fewer between (`ist`, `est`, `no.`; `fødselsnummeret mitt er`). Most numbers in logs follow another
    /// word (`reference`, `took`, `passport check`, `Medicare claim`) and are let go here, at the cost of a look
    /// at a word or three.
    fn adjacent(&self, text: &[u8], start: usize, skip: usize) -> bool {
        let stands = |at: usize| {
            self.words.as_ref().is_some_and(|words| words.stands_in(text, at))
                || self.last_words.as_ref().is_some_and(|words| words.stands_in(text, at))
        };
        let mut end = start;
        for skipped in 0..=skip {
            while end > 0 && matches!(text[end - 1], b' ' | b':' | b'#' | b'(' | b'\t') {
                end -= 1;
            }
            let is_break = |b: &u8| matches!(b, b' ' | b'\t' | b'(' | b'"' | b'=' | b',' | b';');
            let len = text[end.saturating_sub(41)..end].iter().rev().take_while(|b| !is_break(b)).count();
            if len == 0 || len > 40 {
                return false;
            }
            let word_start = end - len;
            if stands(word_start) {
                return true;
            }
            // Only a short word between, and only past a space.
            if len > 4 || skipped == skip || word_start == 0 || !matches!(text[word_start - 1], b' ' | b'\t') {
                return false;
            }
            end = word_start;
        }
        false
    }

    fn is_empty(&self) -> bool {
        self.words.is_none()
    }

    fn has_secrets(&self) -> bool {
        self.words.is_some() && self.fields.iter().any(|&(_, _, secret)| secret)
    }

    /// The entity and action of the entry whose label stands in prose before `text[start..]`, if any (of a
    /// secret's entry only, when `secret`).
    fn before(&self, text: &[u8], start: usize, secret: bool) -> Option<(EntityId, Action)> {
        let word = self.words.as_ref()?.word_in_prose_before(text, start)?;
        let (entity, action, is_secret) = self.fields[self.field_of_word[word]];
        (is_secret || !secret).then_some((entity, action))
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum SecretKind {
    /// `Bearer TOKEN`, `Basic TOKEN`: the token after the scheme.
    Scheme,
    /// `eyJ...`: a JSON Web Token of three dot-separated base64url parts.
    Jwt,
    /// A known key prefix followed by at least this many token characters.
    Prefixed(usize),
    /// AWS access key ids: the prefix and exactly 16 uppercase letters or digits.
    AwsKeyId,
    /// `-----BEGIN ... PRIVATE KEY-----` up to the matching END line or the end of the text.
    PrivateKey,
    /// A URL whose path holds the secret after the prefix, which stays readable (`hooks.slack.com/services/…`):
    /// at least `min` URL token bytes, over `/` only when `slashes`.
    UrlPath { min: usize, slashes: bool },
    /// The `VALUES` of a SQL `INSERT INTO table (columns) VALUES (values)`: not a secret itself; each value gets the
    /// action the rules give its column (ORMs log the statements they run with the values written in).
    SqlInsert,
    /// A SQL clause that sets a password (`WITH PASSWORD 'x'`, `IDENTIFIED BY 'x'`, `PASSWORD('x')`), or
    /// PowerShell's `ConvertTo-SecureString 'x'`: the quoted string after it.
    SqlPassword,
    /// Redis's `MONITOR` output of an `AUTH` command (`"AUTH" "pass"`, or `"AUTH" "user" "pass"` with ACLs): the
    /// last quoted argument.
    RedisAuth,
    /// Redis's `MONITOR` output of a hash write (`"HSET" "customer:1" "name" "Petr Svoboda" "phone" "…"`): not a
    /// secret itself; each value gets the action the rules give its field.
    RedisHash,
    /// A Firebase Cloud Messaging registration token (`dX9kQ2vLm7T:APA91bF8…`): it addresses one person's device.
    /// The app instance id before the `:` goes with it.
    FcmToken,
    /// A login quoted after the word `user`, as servers write a failed or refused one (PostgreSQL's `password
    /// authentication failed for user "tdvorak"`, nginx's `user "jnovakova" was not found`, MySQL's `Access denied
    /// for user 'mkaya'@'…'`, RabbitMQ's `user 'nkowalczyk' - invalid credentials`; not SQL's `CREATE USER
    /// 'app'@'%'`): not a secret; classified as the field `username` (service accounts kept). Read at a prefix, so
    /// that a line with nothing else to find is read too.
    QuotedLogin,
    /// A home directory (`/home/kwilliams/…`, `/Users/awright`, `C:\Users\hpetersen\…`): not a secret; the login it
    /// is named after is classified as the field `username`.
    HomeDir,
}

/// `UrlPath` for a webhook: its path is the secret.
const WEBHOOK: SecretKind = SecretKind::UrlPath { min: 20, slashes: true };

const SECRET_PREFIXES: &[(&str, SecretKind)] = &[
    ("Bearer ", SecretKind::Scheme),
    ("bearer ", SecretKind::Scheme),
    ("BEARER ", SecretKind::Scheme),
    ("Basic ", SecretKind::Scheme),
    ("eyJ", SecretKind::Jwt),
    ("sk_live_", SecretKind::Prefixed(16)),
    ("sk_test_", SecretKind::Prefixed(16)),
    ("rk_live_", SecretKind::Prefixed(16)),
    ("rk_test_", SecretKind::Prefixed(16)),
    ("whsec_", SecretKind::Prefixed(24)),
    ("ghp_", SecretKind::Prefixed(30)),
    ("gho_", SecretKind::Prefixed(30)),
    ("ghu_", SecretKind::Prefixed(30)),
    ("ghs_", SecretKind::Prefixed(30)),
    ("ghr_", SecretKind::Prefixed(30)),
    ("github_pat_", SecretKind::Prefixed(22)),
    ("glpat-", SecretKind::Prefixed(20)),
    // GitLab's runner, pipeline trigger and deploy tokens.
    ("glrt-", SecretKind::Prefixed(20)),
    ("glptt-", SecretKind::Prefixed(20)),
    ("gldt-", SecretKind::Prefixed(20)),
    ("xoxb-", SecretKind::Prefixed(10)),
    ("xoxp-", SecretKind::Prefixed(10)),
    ("xoxa-", SecretKind::Prefixed(10)),
    ("xoxr-", SecretKind::Prefixed(10)),
    ("xoxs-", SecretKind::Prefixed(10)),
    ("AKIA", SecretKind::AwsKeyId),
    ("ASIA", SecretKind::AwsKeyId),
    ("AIza", SecretKind::Prefixed(35)),
    ("npm_", SecretKind::Prefixed(36)),
    ("pypi-", SecretKind::Prefixed(50)),
    ("hf_", SecretKind::Prefixed(30)),
    ("sk-proj-", SecretKind::Prefixed(20)),
    ("sk-ant-", SecretKind::Prefixed(20)),
    ("shpat_", SecretKind::Prefixed(32)),
    ("shpss_", SecretKind::Prefixed(32)),
    ("SG.", SecretKind::Prefixed(40)),
    // Intercom access tokens are base64 of `tok:<uuid>:...`.
    ("dG9rOj", SecretKind::Prefixed(34)),
    ("dG9rOm", SecretKind::Prefixed(34)),
    // ASP.NET Core's data protection payloads (password reset and e-mail confirmation tokens, antiforgery and
    // authentication cookies) start with the base64 of their magic header, `09 F0 C9 F0`, and key version 8.
    ("CfDJ8", SecretKind::Prefixed(40)),
    // age's private keys and Atlassian's API tokens. (Not Google's `ya29.` access tokens: a prefix with a first
    // byte of its own costs a lookup at words of other bytes that share its group; they are read under their
    // keys and after `Bearer`.)
    ("AGE-SECRET-KEY-1", SecretKind::Prefixed(50)),
    ("ATATT3", SecretKind::Prefixed(60)),
    ("-----BEGIN ", SecretKind::PrivateKey),
    // Webhook URLs: whoever has one can post. (Anchored on `slack`: a prefix's first two bytes are looked up at
    // every word start, and `ho` starts `host`.)
    ("slack.com/services/", WEBHOOK),
    ("slack.com/workflows/", WEBHOOK),
    ("slack.com/triggers/", WEBHOOK),
    ("discord.com/api/webhooks/", WEBHOOK),
    ("discordapp.com/api/webhooks/", WEBHOOK),
    // SQL statements that set a password, as a database logs them (PostgreSQL's `log_statement`, MySQL's general
    // log), in the case they are usually written in.
    // (Uppercase only: prefixes that start with a lowercase pair as common as `pa`, `id` or `va` cost every line
    // that has such a word a lookup.)
    ("PASSWORD", SecretKind::SqlPassword),
    ("IDENTIFIED BY", SecretKind::SqlPassword),
    // MySQL 8: `IDENTIFIED WITH caching_sha2_password BY 'x'` (or `AS 'hash'`).
    ("IDENTIFIED WITH", SecretKind::SqlPassword),
    // PowerShell's `ConvertTo-SecureString 'x' -AsPlainText`: the password written into a script.
    ("ConvertTo-SecureString", SecretKind::SqlPassword),
    ("VALUES", SecretKind::SqlInsert),
    ("AUTH\" \"", SecretKind::RedisAuth),
    ("HSET\" \"", SecretKind::RedisHash),
    ("HMSET\" \"", SecretKind::RedisHash),
    ("APA91b", SecretKind::FcmToken),
    // Docker Hub personal access tokens (`docker login -u ci -p dckr_pat_…`).
    ("dckr_pat_", SecretKind::Prefixed(16)),
    // Logins quoted after `user`, in either quote.
    ("user \"", SecretKind::QuotedLogin),
    ("user '", SecretKind::QuotedLogin),
    ("User \"", SecretKind::QuotedLogin),
    ("User '", SecretKind::QuotedLogin),
    // Home directories, after their `/` or `\` (a prefix starts with a letter).
    ("home/", SecretKind::HomeDir),
    ("Users/", SecretKind::HomeDir),
    ("Users\\", SecretKind::HomeDir),
];

/// The length of secret prefix `index` (an index the anchors report).
pub(crate) fn secret_prefix_len(index: usize) -> usize {
    SECRET_PREFIXES[index].0.len()
}

/// The first two bytes of the secret prefixes as group bits, for the anchors' vectorized look: each first byte
/// gets one of eight groups (`.0`, zero for a byte no prefix starts with), and each byte the groups of the first
/// bytes it follows in some prefix (`.1`). A prefix can start at a byte only when `.0[byte] & .1[next byte]` is
/// not zero (a superset: groups are shared).
pub(crate) const SECRET_PAIR_GROUPS: ([u8; 128], [u8; 128]) = {
    let (mut first, mut second) = ([0u8; 128], [0u8; 128]);
    let mut groups = 0;
    let mut i = 0;
    while i < SECRET_PREFIXES.len() {
        let bytes = SECRET_PREFIXES[i].0.as_bytes();
        assert!(
            bytes.len() >= 3 && bytes[0] < 128 && bytes[1] < 128,
            "secret prefixes are three bytes or more and start with two ASCII bytes"
        );
        let (a, b) = (bytes[0] as usize, bytes[1] as usize);
        if first[a] == 0 {
            first[a] = 1 << (groups % 8);
            groups += 1;
        }
        second[b] |= first[a];
        i += 1;
    }
    (first, second)
};

/// The bit of the first three bytes of a prefix in `SecretPrefixes::triples`.
#[inline(always)]
fn triple_hash(a: u8, b: u8, c: u8) -> usize {
    (u32::from_le_bytes([a, b, c, 0]).wrapping_mul(0x9E37_79B1) >> 20) as usize
}

/// The secret prefixes, indexed by their first two bytes: the anchors look up each word start here.
pub(crate) struct SecretPrefixes {
    /// One bit per hash of the first three bytes of some prefix (4,096 bits, so it stays in the cache): most word
    /// starts that share two bytes with a prefix (`re` of `request` and of `redis-cli`) differ in the third.
    triples: Box<[u64; 64]>,
    /// (first two bytes, index in `SECRET_PREFIXES`) of every prefix, sorted: the prefixes of one pair are found
    /// by a binary search, in the order they are listed.
    by_pair: Vec<(u16, usize)>,
}

impl std::fmt::Debug for SecretPrefixes {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("SecretPrefixes").field("prefixes", &SECRET_PREFIXES.len()).finish()
    }
}

impl SecretPrefixes {
    pub(crate) fn new() -> SecretPrefixes {
        let mut triples = Box::new([0u64; 64]);
        let mut by_pair = Vec::with_capacity(SECRET_PREFIXES.len());
        for (index, (prefix, _)) in SECRET_PREFIXES.iter().enumerate() {
            let bytes = prefix.as_bytes();
            let pair = (u16::from(bytes[0]) << 8) | u16::from(bytes[1]);
            let triple = triple_hash(bytes[0], bytes[1], bytes[2]);
            triples[triple / 64] |= 1 << (triple % 64);
            by_pair.push((pair, index));
        }
        by_pair.sort_unstable();
        SecretPrefixes { triples, by_pair }
    }

    /// The index of the prefix that starts at `at` in `text`, if any (the first listed, when several do).
    #[inline]
    pub(crate) fn at(&self, text: &[u8], at: usize) -> Option<usize> {
        let (Some(&first), Some(&second), Some(&third)) = (text.get(at), text.get(at + 1), text.get(at + 2)) else {
            return None;
        };
        let triple = triple_hash(first, second, third);
        if self.triples[triple / 64] & (1 << (triple % 64)) == 0 {
            return None;
        }
        // Only the prefixes with this pair, in order: the first listed that matches wins.
        let rest = &text[at..];
        let pair = (u16::from(first) << 8) | u16::from(second);
        let first = self.by_pair.partition_point(|&(p, _)| p < pair);
        self.by_pair[first..].iter().take_while(|&&(p, _)| p == pair).map(|&(_, index)| index).find(|&index| {
            let prefix = SECRET_PREFIXES[index].0.as_bytes();
            rest.len() >= prefix.len() && same_bytes(&rest[..prefix.len()], prefix)
        })
    }
}

impl Detectors {
    /// Compiles the detectors of `rules`.
    pub fn new(rules: &Rules) -> Detectors {
        let mut enabled = [false; DetectorKind::ALL.len()];
        let mut actions = [Action::Label; DetectorKind::ALL.len()];
        for kind in DetectorKind::ALL {
            let rule = rules.detector(kind);
            enabled[kind as usize] = rule.enabled && rule.action != Action::Keep;
            actions[kind as usize] = rule.action;
        }
        let regions =
            rules.detector(DetectorKind::Phone).regions.iter().filter_map(|code| Region::from_code(code)).collect();
        let phone_context = ContextWords::new(&rules.detector(DetectorKind::Phone).context);
        let e164_keys = ContextWords::new(&rules.detector(DetectorKind::Phone).e164_keys);
        let phone_context_after: Vec<Vec<u8>> =
            rules.detector(DetectorKind::Phone).context_after.iter().map(|word| word.as_bytes().to_vec()).collect();
        let mut phone_after_first = [false; 256];
        for word in &phone_context_after {
            if let Some(&first) = word.first() {
                phone_after_first[usize::from(first.to_ascii_lowercase())] = true;
                phone_after_first[usize::from(first.to_ascii_uppercase())] = true;
            }
        }
        let ssn_context = ContextWords::new(&rules.detector(DetectorKind::Ssn).context);
        let mut birth_path = KeyPath::default();
        birth_path.push(b"date_of_birth");
        // The birth words are the `labels` of the field `date_of_birth`'s entry.
        let birth_labels = rules.field_rule(&birth_path).and_then(|rule| rule.labels);
        let birth_context = birth_labels.and_then(|index| ContextWords::new(&rules.field_labels[index].words));
        let birth_date = rules
            .field_rule(&birth_path)
            .filter(|rule| rule.action.replaces() && rule.action != Action::DropField)
            .map(|rule| (rule.entity, rule.action));
        let secrets = SecretPrefixes::new();
        let patterns: Vec<PatternRule> =
            rules.patterns.iter().filter(|pattern| pattern.action != Action::Keep).cloned().collect();
        let pattern_context = patterns.iter().map(|pattern| ContextWords::new(&pattern.context)).collect();
        let names = rules.detector(DetectorKind::Name);
        let phone_labels = names.phone_labels.iter().map(|label| label.as_bytes().into()).collect();
        let name_cues = NameCues::new(names);
        if name_cues.is_empty() {
            enabled[DetectorKind::Name as usize] = false;
        }
        let labels = LabelWords::new(&rules.field_labels);
        let named_after = [DetectorKind::Email, DetectorKind::Phone, DetectorKind::Ssn]
            .map(DetectorKind::entity)
            .into_iter()
            .chain(
                rules
                    .field_labels
                    .iter()
                    .filter(|labels| !labels.secret && birth_date.is_none_or(|(entity, _)| entity != labels.entity))
                    .map(|labels| labels.entity),
            )
            .collect();
        Detectors {
            labels,
            enabled,
            actions,
            regions,
            phone_context,
            e164_keys,
            phone_labels,
            phone_context_after,
            phone_after_first,
            ssn_context,
            birth_context,
            birth_date,
            named_after,
            secrets,
            patterns,
            pattern_context,
            name_cues,
        }
    }

    fn on(&self, kind: DetectorKind) -> bool {
        self.enabled[kind as usize]
    }

    fn push(&self, kind: DetectorKind, start: usize, end: usize, out: &mut Vec<Finding>) {
        out.push(Finding { start, end, entity: kind.entity(), action: self.actions[kind as usize] });
    }

    /// Appends the findings in `text` to `out`, sorted and without overlaps (overlapping findings are merged into
    /// their union, keeping the entity of the first). `anchors` are the anchors of exactly `text`.
    pub(crate) fn scan(
        &self,
        rules: &Rules,
        text: &[u8],
        anchors: &View<'_>,
        context: ScanContext,
        memo: &mut KeyMemo,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        let emails = self.on(DetectorKind::Email) || self.on(DetectorKind::Credentials);
        if anchors.any(Anchor::At) {
            if emails {
                self.emails(text, memchr::memchr(b'%', text).is_some(), out);
            }
            if self.on(DetectorKind::Secret) {
                // The `$` of the anchors: the text is not searched again.
                for at in anchors.positions(Anchor::At).filter(|&at| text[at] == b'$') {
                    if let Some((start, end)) =
                        crypt_hash_at(text, at).map(|end| (at, end)).or_else(|| django_hash_at(text, at))
                    {
                        self.push(DetectorKind::Secret, start, end, out);
                    }
                }
            }
        }
        if anchors.any(Anchor::Num) {
            let numbers_from = out.len();
            self.numbers(text, anchors, context, out);
            if out.len() > numbers_from {
                access_log_users(rules, text, memo, numbers_from, out);
            }
        }
        self.secrets(rules, text, anchors, memo, out);
        self.key_values(rules, text, anchors, memo, out);
        if anchors.any(Anchor::Quote) {
            domain_logins(rules, text, anchors, memo, out);
        }
        if anchors.any(Anchor::Lt) {
            self.xml_elements(rules, text, anchors, false, memo, out);
            // The lines of a passport's machine-readable zone are the field `mrz`'s.
            super::mrz::find(text, anchors, |start, end| memo.push_as_value_of(rules, b"mrz", text, (start, end), out));
        }
        if self.on(DetectorKind::Name) && anchors.any_either(Anchor::Cap, Anchor::Caps) {
            self.name_cues
                .find(text, anchors, context.thing_key(), |start, end| self.push(DetectorKind::Name, start, end, out));
        }
        self.logins(text, anchors, out);
        if anchors.any(Anchor::Cap) {
            self.labeled_passwords(text, anchors, out);
            // Street addresses are the field `street_address`'s: a rule that keeps it turns them off.
            // So are devices named after their owners (`Annas-iPhone`), the field `device_hostname`'s.
            super::streets::find(text, anchors, |field, start, end| {
                memo.push_as_value_of(rules, field, text, (start, end), out)
            });
        }
        // The names that go with the addresses, phones and ids found: one pass for all.
        let (email, phone) = (DetectorKind::Email.entity(), DetectorKind::Phone.entity());
        let names_may_follow = |finding: &Finding| {
            finding.entity == email || finding.entity == phone || text.get(finding.end..finding.end + 2) == Some(b" (")
        };
        if out[first..].iter().any(names_may_follow) {
            self.display_names(rules, text, memo, first, out);
        }
        // HL7 segments: a patient's fields by position, in a text with a `|` (an `At` anchor).
        if anchors.any(Anchor::At) && anchors.positions(Anchor::At).any(|at| text[at] == b'|') {
            super::hl7::find(text, |key, start, end| memo.push_as_value_of(rules, key, text, (start, end), out));
        }
        for (index, pattern) in self.patterns.iter().enumerate() {
            self.pattern(index, pattern, text, out);
        }
        normalize(out, first);
    }

    /// Only the `key=value` check of `scan`: enough for a text whose anchors hold nothing else
    /// (`View::worth_scanning` is false) when there are no user patterns.
    pub(crate) fn scan_key_values(
        &self,
        rules: &Rules,
        text: &[u8],
        anchors: &View<'_>,
        memo: &mut KeyMemo,
        out: &mut Vec<Finding>,
    ) {
        let first = out.len();
        self.key_values(rules, text, anchors, memo, out);
        self.logins(text, anchors, out);
        normalize(out, first);
    }

    /// Logins made of a person's names (`anna.lindqvist`), at the joins of the anchors.
    fn logins(&self, text: &[u8], anchors: &View<'_>, out: &mut Vec<Finding>) {
        if self.on(DetectorKind::Name) && anchors.any(Anchor::Join) {
            self.name_cues.logins(text, anchors, |start, end| self.push(DetectorKind::Name, start, end, out));
        }
    }

    /// True when `value` has `shape` (the `shape` of a field rule).
    pub(crate) fn has_shape(&self, shape: ValueShape, value: &[u8]) -> bool {
        match shape {
            ValueShape::Any => true,
            ValueShape::FullName => self.name_cues.reads_as_a_full_name(value),
            ValueShape::DottedLogin => reads_as_a_dotted_login(value),
            ValueShape::BasicCredentials => reads_as_basic_credentials(value),
        }
    }

    /// The length of the start of a bare value (unquoted, in a text line) that has `shape`, if one does: a bare
    /// value runs to a delimiter or the next `key=`, past the words after it (`user: e.kaya from 10.0.0.5`,
    /// `driver=Stefanie Brandt at 19:00`).
    fn shaped_start(&self, shape: ValueShape, value: &[u8]) -> Option<usize> {
        if self.has_shape(shape, value) {
            return Some(value.len());
        }
        let first_word = memchr::memchr(b' ', value).unwrap_or(value.len());
        match shape {
            ValueShape::Any => Some(value.len()),
            ValueShape::FullName => self.name_cues.full_name_start(value),
            ValueShape::DottedLogin => reads_as_a_dotted_login(&value[..first_word]).then_some(first_word),
            ValueShape::BasicCredentials => reads_as_basic_credentials(&value[..first_word]).then_some(first_word),
        }
    }

    /// True when `text` is exactly an ISO 8601 timestamp (`2025-11-29T14:26:36.990Z`, `2025-11-29 14:26:36+01:00`):
    /// the built-in detectors find nothing in one, so a JSON value that is only a timestamp (the `ts` of every
    /// line) needs no scan. False when user patterns run, since one may look for dates.
    #[inline(always)]
    pub(crate) fn holds_only_a_timestamp(&self, text: &[u8]) -> bool {
        // Most values are turned away by their length or fifth byte, without a call.
        text.len() >= 19 && text[4] == b'-' && !self.has_patterns() && is_timestamp(text)
    }

    /// True when `text` opens a PEM private key block that it does not close (`-----BEGIN RSA PRIVATE KEY-----`
    /// and no `-----END `): the lines after it are the key (see `Redactor::private_key_body`). `anchors` are the
    /// anchors of exactly `text`.
    pub(crate) fn opens_private_key(&self, text: &[u8], anchors: &View<'_>) -> bool {
        let contains = |haystack: &[u8], needle: &[u8]| memchr::memmem::find(haystack, needle).is_some();
        self.on(DetectorKind::Secret)
            && anchors.secrets().any(|(start, pattern)| {
                SECRET_PREFIXES[pattern].1 == SecretKind::PrivateKey
                    && contains(&text[start..], b"PRIVATE KEY-----")
                    && !contains(&text[start..], b"-----END ")
            })
    }

    /// The entity and action of a person's name; None when the name detector is off.
    pub(crate) fn name_finding(&self) -> Option<(EntityId, Action)> {
        self.on(DetectorKind::Name).then(|| (DetectorKind::Name.entity(), self.actions[DetectorKind::Name as usize]))
    }

    /// The entity and action of the secret detector.
    pub(crate) fn secret_finding(&self) -> (EntityId, Action) {
        (DetectorKind::Secret.entity(), self.actions[DetectorKind::Secret as usize])
    }

    /// The secret prefixes, for the anchors; `None` when the secret detector is off.
    pub(crate) fn secret_prefixes(&self) -> Option<&SecretPrefixes> {
        self.on(DetectorKind::Secret).then_some(&self.secrets)
    }

    /// True when user patterns run (they need the whole text, whatever its anchors).
    pub(crate) fn has_patterns(&self) -> bool {
        !self.patterns.is_empty()
    }

    /// The entity of a bare JSON number: a card, or a phone or an SSN when the key says so.
    pub fn number_entity(&self, digits: &[u8], context: ScanContext) -> Option<(EntityId, Action)> {
        // A fraction of zeros (`4111111111111111.00`, an amount's format) says nothing: the integer part is read.
        let digits = match digits.iter().position(|&b| b == b'.') {
            Some(dot) if dot + 1 < digits.len() && digits[dot + 1..].iter().all(|&b| b == b'0') => &digits[..dot],
            _ => digits,
        };
        if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
            return None;
        }
        let count = digits.len();
        // A JSON number is a machine-written value (a counter, an id, a clock): 12- and 13-digit card numbers
        // (old Visa, short Maestro) would match one such value in ten, so numbers need 14 digits to be a card.
        // Keys that say card (`card_number`, `pan`) are classified by the rules and replaced whatever the length.
        if (14..=19).contains(&count) && self.on(DetectorKind::Card) && validate::is_card_number(digits) {
            return Some((DetectorKind::Card.entity(), self.actions[DetectorKind::Card as usize]));
        }
        if context.ssn_key() && count == 9 && self.on(DetectorKind::Ssn) && ssn_digits_valid(digits) {
            return Some((DetectorKind::Ssn.entity(), self.actions[DetectorKind::Ssn as usize]));
        }
        if context.phone_key() && (7..=15).contains(&count) && self.on(DetectorKind::Phone) {
            return Some((DetectorKind::Phone.entity(), self.actions[DetectorKind::Phone as usize]));
        }
        if context.e164_key() && self.on(DetectorKind::Phone) && self.e164_digits(digits) {
            return Some((DetectorKind::Phone.entity(), self.actions[DetectorKind::Phone as usize]));
        }
        None
    }

    // ---- emails and URL credentials -------------------------------------------------------------------------

    fn emails(&self, text: &[u8], percent: bool, out: &mut Vec<Finding>) {
        let mut search_from = 0;
        let finder = |from: usize| -> Option<(usize, usize)> {
            if !percent {
                return memchr::memchr(b'@', &text[from..]).map(|at| (from + at, 1));
            }
            let mut position = from;
            loop {
                let found = memchr::memchr2(b'@', b'%', &text[position..])? + position;
                if text[found] == b'@' {
                    return Some((found, 1));
                }
                if text.get(found + 1..found + 3).is_some_and(|hex| hex == b"40") {
                    return Some((found, 3));
                }
                position = found + 1;
            }
        };
        while let Some((at, width)) = finder(search_from) {
            search_from = at + width;
            if let Some((start, end)) = url_userinfo(text, at) {
                if self.on(DetectorKind::Credentials) {
                    self.push(DetectorKind::Credentials, start, end, out);
                }
                search_from = search_from.max(end + 1);
                continue;
            }
            if width == 1 && self.on(DetectorKind::Phone) {
                if let Some((start, end)) = sip_number(text, at) {
                    // The caller's display name is often the number again: `"4155550137" <sip:4155550137@…>`.
                    if let Some((name_start, name_end)) = sip_display_number(text, start) {
                        self.push(DetectorKind::Phone, name_start, name_end, out);
                    }
                    self.push(DetectorKind::Phone, start, end, out);
                    continue;
                }
            }
            if !self.on(DetectorKind::Email) {
                continue;
            }
            let Some((start, end)) = email_around(text, at, width) else {
                continue;
            };
            let start = verp_user_start(text, start, at).unwrap_or(start);
            if names_a_service(text, start, at, end) {
                search_from = search_from.max(end);
                continue;
            }
            // A mail's Message-ID (`message-id=<20240312102517.6E3F71C0D5F@mx2.example.de>`) names a message.
            if is_message_id(text, start) {
                search_from = search_from.max(end);
                continue;
            }
            self.push(DetectorKind::Email, start, end, out);
            search_from = search_from.max(end);
        }
    }

    /// The names that go with the addresses and phones found from `first` on: `"Jane Doe" <jane@…>`, `Jane Doe
    /// <jane@…>` (a mail header, a sender in a log line) and `Jane Doe (jane@…)`; a caller as SIP and telephony
    /// servers write one, `From: "Emily Carter" <sip:+14155550137@…>`, `Sofia Andersson <+46701234567>`. They are
    /// classified as the field `display_name` is, and replaced only when the rules replace that field.
    #[cold]
    #[inline(never)]
    fn display_names(&self, rules: &Rules, text: &[u8], memo: &mut KeyMemo, first: usize, out: &mut Vec<Finding>) {
        for index in first..out.len() {
            let Finding { start, end, entity, .. } = out[index];
            let name = if start == 0 {
                None
            } else if entity == DetectorKind::Email.entity() {
                match (text[start - 1], text.get(end)) {
                    (b'<', Some(b'>')) => {
                        quoted_name_before(text, start - 1).or_else(|| capitalized_words_before(text, start - 1, 1))
                    }
                    (b'(', Some(b')')) => capitalized_words_before(text, start - 1, 2),
                    _ => None,
                }
            } else if entity == DetectorKind::Phone.entity() {
                let before = &text[..start];
                let open = [b"<".as_slice(), b"<sip:", b"<sips:", b"<tel:"]
                    .iter()
                    .find(|prefix| before.ends_with(prefix))
                    .map(|prefix| start - prefix.len());
                match open {
                    Some(open) => quoted_name_before(text, open).or_else(|| capitalized_words_before(text, open, 2)),
                    None if text[start - 1] == b'(' && text.get(end) == Some(&b')') => {
                        capitalized_words_before(text, start - 1, 2)
                            .filter(|&(from, to)| self.names_someone(&text[from..to]))
                    }
                    None => signed_name_before(text, start, &self.phone_labels)
                        .filter(|&(from, to)| self.names_someone(&text[from..to])),
                }
            } else {
                None
            };
            let name = name.or_else(|| self.name_in_parentheses_after(text, end, entity));
            if let Some((name_start, name_end)) = name {
                memo.push_as_value_of(rules, b"display_name", text, (name_start, name_end), out);
            }
        }
    }

    /// A full name in parentheses right after a value of an entity of `named_after` that ends at `end`
    /// (`+49 1520 9876543 (Ayşe Kaya)`, `fødselsnummer 17058809128 (Ingrid Haugen)`, `jane@x.com (Jane Doe)`):
    /// two to four capitalized words, none of which names no one, and nothing else up to the `)`.
    fn name_in_parentheses_after(&self, text: &[u8], end: usize, entity: EntityId) -> Option<(usize, usize)> {
        if text.get(end..end + 2) != Some(b" (") || !self.named_after.contains(&entity) {
            return None;
        }
        let open = end + 2;
        let close = open + memchr::memchr(b')', &text[open..text.len().min(open + 80)])?;
        capitalized_words_before(text, close, 2)
            .filter(|&(from, to)| from == open && self.names_someone(&text[from..to]))
    }

    /// True when no word of `name` is one of the rules' words that name no one (`Customer Service, tel. …`).
    fn names_someone(&self, name: &[u8]) -> bool {
        !self.name_cues.holds_a_word_of_no_one(name)
    }

    // ---- numbers: phones, cards, SSNs, IBANs, IPs, MACs -------------------------------------------------

    /// Visits the number anchors in order; a token that was read swallows the anchors inside it.
    fn numbers(&self, text: &[u8], anchors: &View<'_>, context: ScanContext, out: &mut Vec<Finding>) {
        let mut resume = 0;
        for at in anchors.positions(Anchor::Num) {
            if at < resume {
                continue;
            }
            resume = match text[at] {
                b':' if colon_chain(text, at) => self.hex_colon(text, at, out).unwrap_or(at + 1),
                b':' => at + 1,
                // A digit anchor has seven number bytes after it, so no `:` for `hex_colon` close by.
                b'0'..=b'9' if iso_date_time(text, at) => skip_word(text, at + 10),
                b'0'..=b'9' if at > 0 && text[at - 1] == b'-' => self.dashed_number(text, at, context, out),
                b'0'..=b'9' => self.digit_token(text, at, context, out),
                // The first of five dashes three bytes apart: a MAC written with dashes, from the byte before.
                b'-' => match mac_dashed_around(text, at.saturating_sub(1)) {
                    Some((start, end)) if at > 0 && start >= resume && self.on(DetectorKind::Mac) => {
                        self.push(DetectorKind::Mac, start, end, out);
                        end
                    }
                    _ => at + 1,
                },
                // Two dots five bytes apart: a MAC in Cisco's notation, from four bytes before the first.
                b'.' => match mac_dotted_at(text, at.wrapping_sub(4)) {
                    Some(end) if at >= 4 + resume && self.on(DetectorKind::Mac) => {
                        self.push(DetectorKind::Mac, at - 4, end, out);
                        end
                    }
                    _ => at + 1,
                },
                // Two letters and two digits at a word start: an IBAN, checked from its first digit.
                _ => self.digit_token(text, at + 2, context, out),
            };
        }
    }

    /// The link-layer header that the kernel logs after a martian packet (`ll header: 00000000: ff ff ff ff ff ff 52
    /// 54 00 9c 33 a1 08 00`), from its first byte at `at`: twelve bytes in hex, one space apart, the destination
    /// MAC (unless broadcast) and the source MAC. Returns where to continue.
    #[cold]
    #[inline(never)]
    fn link_header(&self, text: &[u8], at: usize, out: &mut Vec<Finding>) -> usize {
        let pairs = text[at..].get(..35).is_some_and(|bytes| {
            bytes.iter().enumerate().all(|(k, b)| if k % 3 == 2 { *b == b' ' } else { b.is_ascii_hexdigit() })
        });
        if !pairs {
            return at;
        }
        if !text[at..at + 17].eq_ignore_ascii_case(b"ff ff ff ff ff ff") {
            self.push(DetectorKind::Mac, at, at + 17, out);
        }
        self.push(DetectorKind::Mac, at + 18, at + 35, out);
        at + 35
    }

    /// A number after a dash (the token reader's, from `i`): when the dash joins it to a word, an address written
    /// into a host name (`ip-10-0-4-5.ec2.internal`, `host-203-0-113-7.example.net`, `ec2-54-201-3-4.…`), or a
    /// card number glued to the word; anything else joined so (`ORD-2021-280363`) is no number of its own.
    #[inline(never)]
    fn dashed_number(&self, text: &[u8], i: usize, context: ScanContext, out: &mut Vec<Finding>) -> usize {
        if i < 2 || !text[i - 2].is_ascii_alphanumeric() {
            return self.digit_token(text, i, context, out);
        }
        if let Some(end) = dashed_quad_at(text, i) {
            if self.on(DetectorKind::Ip) {
                self.push_ipv4(text, i, end, b'-', out);
            }
            return end;
        }
        // Joined to a word, only a run of fifteen digits or more (a card number) started an anchor before.
        if text.get(i..i + 15).is_some_and(|run| run.iter().all(u8::is_ascii_digit)) {
            return self.digit_token(text, i, context, out);
        }
        i + 1
    }

    /// IPv6 and MAC addresses around position `i`; returns where to continue when one was found.
    fn hex_colon(&self, text: &[u8], i: usize, out: &mut Vec<Finding>) -> Option<usize> {
        if !self.on(DetectorKind::Ip) && !self.on(DetectorKind::Mac) {
            return None;
        }
        let mut start = i;
        while start > 0 && is_hex_colon(text[start - 1]) {
            start -= 1;
        }
        let mut end = i;
        while end < text.len() && (is_hex_colon(text[end]) || text[end] == b'.') {
            end += 1;
        }
        while end > i && text[end - 1] == b'.' {
            end -= 1;
        }
        let token = &text[start..end];
        let colons = token.iter().filter(|&&b| b == b':').count();
        if colons < 2 {
            return None;
        }
        // Glued to a word, or the rest of a masked address (`****::6366`, `****:*:***7::6bf`, each a valid
        // address): `*`s right before a colon or after one; Markdown's `**2001:db8::1**` is an address.
        let stars = text[..start].iter().rev().take_while(|&&b| b == b'*').count();
        let masked = stars > 0 && (text[start] == b':' || start > stars && text[start - stars - 1] == b':');
        if masked || start > 0 && (text[start - 1].is_ascii_alphanumeric() || text[start - 1] == b'_') {
            return Some(end);
        }
        if end < text.len() && (text[end].is_ascii_alphanumeric() || text[end] == b'_') {
            return Some(end);
        }
        if self.on(DetectorKind::Mac) && is_mac(token) {
            self.push(DetectorKind::Mac, start, end, out);
            return Some(end);
        }
        // A MAC before a `: ` (`failed connect to F4:4E:FD:21:9A:C7: Connection refused`).
        if self.on(DetectorKind::Mac)
            && token.ends_with(b":")
            && text.get(end).is_none_or(|&b| b == b' ')
            && is_mac(&token[..token.len() - 1])
        {
            self.push(DetectorKind::Mac, start, end - 1, out);
            return Some(end);
        }
        // A DHCP client identifier (hardware type 1, Ethernet, and the MAC: `01:a4:83:e7:12:34:57`) and a DHCPv6
        // DUID built from a MAC (DUID-LLT `00:01:00:01:` with a time, DUID-LL `00:03:00:01:`): the device, whole.
        if self.on(DetectorKind::Mac) && client_id_of_a_mac(token) {
            self.push(DetectorKind::Mac, start, end, out);
            return Some(end);
        }
        // The `MAC=` of a netfilter log line (iptables, UFW): the destination and source addresses and the
        // EtherType, fourteen octets in one run (`00:16:3e:5e:6c:00:52:54:00:12:35:02:08:00`).
        if self.on(DetectorKind::Mac) && token.len() == 41 && colon_hex_pairs(token) {
            self.push(DetectorKind::Mac, start, start + 17, out);
            self.push(DetectorKind::Mac, start + 18, start + 35, out);
            return Some(end);
        }
        if self.on(DetectorKind::Ip) {
            // Allow a trailing `:port`-less form only; strip a trailing dot (end of sentence).
            let mut trimmed = token;
            let mut trimmed_colons = colons;
            while let Some((&last, rest)) = trimmed.split_last() {
                if last == b'.' || last == b':' && !trimmed.ends_with(b"::") {
                    trimmed_colons -= usize::from(last == b':');
                    trimmed = rest;
                } else {
                    break;
                }
            }
            // An IPv6 address has a `::`, or seven colons, or six and a dotted quad (`1:2:3:4:5:6:1.2.3.4`): a
            // time of day (`14:26:36`) is turned away without parsing.
            // Hex words alone (`a::b`, `dead::beef`, a bare `::`) are code far more often than addresses: an address
            // here has a digit.
            let shaped = (matches!(trimmed_colons, 7 | 8)
                || trimmed_colons == 6 && trimmed.contains(&b'.')
                || trimmed.windows(2).any(|pair| pair == b"::"))
                && trimmed.iter().any(u8::is_ascii_digit);
            let parse = |bytes: &[u8]| std::str::from_utf8(bytes).ok()?.parse::<std::net::Ipv6Addr>().ok();
            let mut address = shaped.then(|| parse(trimmed)).flatten();
            // A port after the address without brackets (HAProxy's and OpenVPN's `2001:db8::17:40000`): a last
            // group of five decimal digits is no hex group (a shorter port reads as one, and goes with it); after
            // eight colons (more than an address has), a last group of decimal digits can only be a port.
            // tcpdump's and pf's port after a dot (`2001:db8:77::5.443 > 2001:db8:1::20.61234:`).
            if address.is_none() && shaped {
                let dot = trimmed.iter().position(|&b| b == b'.');
                if let Some(dot) = dot.filter(|&dot| dotted_port_at(text, start, start + dot)) {
                    address = parse(&trimmed[..dot]);
                    if address.is_some() {
                        trimmed = &trimmed[..dot];
                    }
                }
            }
            if address.is_none() && shaped {
                let last = trimmed.iter().rposition(|&b| b == b':').map_or(0, |at| at + 1);
                let port_digits = if trimmed_colons == 8 { 1..=5 } else { 5..=5 };
                if port_digits.contains(&(trimmed.len() - last)) && trimmed[last..].iter().all(u8::is_ascii_digit) {
                    address = parse(&trimmed[..last - 1]);
                    if address.is_some() {
                        trimmed = &trimmed[..last - 1];
                    }
                }
            }
            if let Some(address) = address {
                if !names_no_host(address.into()) {
                    self.push(DetectorKind::Ip, start, start + trimmed.len(), out);
                }
                return Some(end);
            }
        }
        Some(end)
    }

    /// Classifies the number that starts at the digit `i`; returns where to continue.
    fn digit_token(&self, text: &[u8], i: usize, context: ScanContext, out: &mut Vec<Finding>) -> usize {
        if self.on(DetectorKind::Mac) {
            if text.get(i + 8) == Some(&b':')
                && text[..i].ends_with(b"ll header: ")
                && text[i..].starts_with(b"00000000")
            {
                return self.link_header(text, i + 10, out);
            }
            if let Some((start, end)) = mac_dashed_around(text, i) {
                self.push(DetectorKind::Mac, start, end, out);
                return end;
            }
            // `0050.56c0.0001`: a MAC in Cisco's notation that starts with digits (its dots are inside this token).
            if let Some(end) = text.get(i + 4).filter(|&&b| b == b'.').and_then(|_| mac_dotted_at(text, i)) {
                self.push(DetectorKind::Mac, i, end, out);
                return end;
            }
        }
        // IBAN: two letters right before the digits, at a word start.
        if i >= 2
            && self.on(DetectorKind::Iban)
            && text[i - 1].is_ascii_alphabetic()
            && text[i - 2].is_ascii_alphabetic()
        {
            let at_word_start = i == 2 || !text[i - 3].is_ascii_alphanumeric();
            if at_word_start {
                if let Some(end) = iban_at(text, i - 2) {
                    self.push(DetectorKind::Iban, i - 2, end, out);
                    return end;
                }
            }
        }
        // A digit glued to a word (hex hashes, identifiers, `КХ12345678`) is not a number of its own, unless it is a
        // card's.
        let glued = i > 0 && (text[i - 1].is_ascii_alphanumeric() || text[i - 1] == b'_');
        if glued || i > 0 && text[i - 1] >= 0x80 && super::context::glued_before(text, i) {
            return self
                .glued_card(text, i, out)
                .or_else(|| self.labeled_number(text, capitals_before(text, i)?, out))
                .unwrap_or_else(|| skip_word(text, i));
        }
        // A host name that starts with an address written with dashes (`187-45-112-9.dynamic.example.net`).
        if text.get(i + 1..i + 4).is_some_and(|near| near.contains(&b'-')) {
            if let Some(end) = host_quad_at(text, i) {
                if self.on(DetectorKind::Ip) {
                    self.push_ipv4(text, i, end, b'-', out);
                }
                return end;
            }
        }
        let token = NumberToken::read(text, i);
        let end = token.end;
        // The PAN of an EMV dump's tag `5A`, written as bytes (`5A 08 49 17 36 68 45 81 37 80 5F24 03 …`), which
        // the next tag may run on from.
        if text[..i].ends_with(b" ") {
            if let Some(end) = self.emv_pan(text, &token, out) {
                return end;
            }
        }
        if token.glued_right(text) {
            return self.labeled_number(text, i, out).unwrap_or_else(|| skip_word(text, end));
        }
        let joined_left = token.start > 0
            && matches!(text[token.start - 1], b'-' | b'.')
            && token.start >= 2
            && text[token.start - 2].is_ascii_alphanumeric();
        // The first group of a UUID (`21792635-d809-…`): eight digits, a dash, four hex digits and a dash.
        let joined_right = end - i == 8
            && text
                .get(end..end + 6)
                .is_some_and(|next| next[0] == b'-' && next[1..5].iter().all(u8::is_ascii_hexdigit) && next[5] == b'-');
        if joined_left || joined_right {
            return self.glued_card(text, i, out).unwrap_or(end);
        }
        let digits = token.digits();
        let count = digits.len();

        // A reverse lookup's name (`7.113.0.203.in-addr.arpa`, also in parentheses) and an address with its port as
        // tcpdump and pf write them (`198.51.100.45.50422 > 192.0.2.25.23:`): more dotted parts than an address.
        // The address may be a later group of the token, after a number it follows (BIND's `#39012
        // (7.113.0.203.in-addr.arpa)`).
        if text.get(end) == Some(&b'.') || token.group_count > 4 {
            let group_starts = (i..end).filter(|&at| at == i || matches!(text[at - 1], b' ' | b'('));
            let quad = group_starts.filter(|&at| text[at].is_ascii_digit()).find_map(|at| {
                let (quad_end, _) = quad_from(text, at, b'.')?;
                let named = text.get(quad_end..quad_end + 13).is_some_and(|n| n.eq_ignore_ascii_case(b".in-addr.arpa"));
                (named || dotted_port_at(text, at, quad_end)).then_some((at, quad_end))
            });
            if let Some((quad_start, quad_end)) = quad {
                if self.on(DetectorKind::Ip) {
                    self.push_ipv4(text, quad_start, quad_end, b'.', out);
                }
                return quad_end;
            }
        }

        // IPv4.
        if token.is_dotted_quad() {
            // `Chrome/131.0.0.0`, .NET's `Version=8.0.0.0`: a product version, not an address (but OpenVPN's
            // `alice/203.0.113.115:51234` is a client's address and port).
            let port = text.get(end) == Some(&b':') && text.get(end + 1).is_some_and(u8::is_ascii_digit);
            // A name after a `/` or a `.` is a URL's path segment or host, and what follows it an address
            // (Spamhaus's `/query/ip/220.133.54.8`, `ipinfo.io/203.0.113.7`).
            let product = token.start >= 2
                && text[token.start - 1] == b'/'
                && text[token.start - 2].is_ascii_alphabetic()
                && !port
                && !path_segment_before(text, token.start - 1)
                || version_before(text, token.start);
            // Not the first four parts of a longer dotted name (`1.2.3.4.example`); a full stop may end it.
            let longer = text.get(end) == Some(&b'.') && text.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
            if self.on(DetectorKind::Ip) && !product && !longer && token.valid_ipv4() {
                // The address without its `/prefix`, which says nothing of anyone.
                let slash = text[token.start..end].iter().rposition(|&b| b == b'/');
                self.push_ipv4(text, token.start, slash.map_or(end, |at| token.start + at), b'.', out);
                // A range (`10.0.0.1-10.0.0.255`): the dash glues the next address to this one, so no anchor
                // starts it.
                let mut end = end;
                while text.get(end) == Some(&b'-') {
                    let Some(next_end) = dotted_quad_at(text, end + 1) else { break };
                    self.push_ipv4(text, end + 1, next_end, b'.', out);
                    end = next_end;
                }
                return end;
            }
            return end;
        }
        if token.looks_like_date() {
            // After a word that says so (`born 14.07.1986`, `nata il 05/01/1992`, `född 1990-03-14`), a date of a
            // year a person alive is born in is a birth date: the field `date_of_birth`'s. Log timestamps (this
            // decade's) are turned away by their year before the words are looked for.
            if let Some((entity, action)) = self.birth_date {
                if token.birth_year() && self.near(&self.birth_context, text, token.start) {
                    // The date is its first three groups, with the separators as written (`14. 7. 1986`).
                    let mut date_end = token.start;
                    for group in 0..3 {
                        date_end += text[date_end..].iter().take_while(|b| b.is_ascii_digit()).count();
                        if group < 2 {
                            date_end += text[date_end..].iter().take(2).take_while(|b| !b.is_ascii_digit()).count();
                        }
                    }
                    out.push(Finding { start: token.start, end: date_end, entity, action });
                    return date_end;
                }
            }
            return end;
        }
        // Cards.
        if (12..=19).contains(&count)
            && token.card_grouping()
            && self.on(DetectorKind::Card)
            && validate::is_card_number(digits)
        {
            self.push(DetectorKind::Card, token.start, end, out);
            return end;
        }
        // A card number in a query string whose `+` stand for spaces (`ccnum=4929+2517+5931+5319`).
        if let Some(end) = self.plus_joined_card(text, &token, out) {
            return end;
        }
        // A card number followed by more digits that are not part of it (a mainframe record's
        // `4727369893745789  2903 ACTIVE`, its expiry after two spaces): the first group alone.
        if let Some(end) = self.card_then_more(text, &token, out) {
            return end;
        }
        // SSN: ddd-dd-dddd (or spaces); bare nine digits only near a context word.
        if count == 9 && self.on(DetectorKind::Ssn) {
            let groups = token.groups();
            let shaped = groups == [3, 2, 4] && token.same_separator(b"- ");
            // Without dashes, or with dots (`898.29.5271`), only under an SSN key or after a word: one of the
            // context words, or X12's `REF*SY*` (an 837 claim's qualifier for an SSN).
            let said = || {
                context.ssn_key()
                    || self.near(&self.ssn_context, text, token.start)
                    || text[..token.start].ends_with(b"REF*SY*")
            };
            let bare = (groups == [9] || groups == [3, 2, 4] && token.same_separator(b".")) && said();
            if (shaped || bare) && ssn_digits_valid(digits) {
                self.push(DetectorKind::Ssn, token.start, end, out);
                return end;
            }
        }
        if count >= 6 {
            if let Some(end) = self.labeled_number(text, i, out) {
                return end;
            }
        }
        if self.on(DetectorKind::Phone) {
            // `phones: 555-0100, 555-0199`: a number listed right after a phone is read as one too, though the
            // comma cuts the context word off.
            let listed = out.last().is_some_and(|last| {
                last.entity == DetectorKind::Phone.entity()
                    && last.end <= token.start
                    && is_list_gap(&text[last.end..token.start])
            });
            let context = context.with(ScanContext::PHONE_KEY, listed);
            if let Some(phone_end) = self.phone(text, &token, context) {
                self.push(DetectorKind::Phone, token.start, phone_end, out);
                return phone_end;
            }
        }
        end
    }

    /// A card number written as groups of four joined by `+` (a form's spaces in a query string), starting with
    /// `token` (its first group): pushed, and its end returned.
    fn plus_joined_card(&self, text: &[u8], token: &NumberToken, out: &mut Vec<Finding>) -> Option<usize> {
        if token.groups() != [4] || text.get(token.end) != Some(&b'+') || !self.on(DetectorKind::Card) {
            return None;
        }
        let mut digits = [0u8; 19];
        let (mut count, mut at) = (0, token.start);
        while count < 19 {
            let run = text[at..].iter().take(5).take_while(|b| b.is_ascii_digit()).count();
            if !(1..=4).contains(&run) || count + run > 19 {
                break;
            }
            digits[count..count + run].copy_from_slice(&text[at..at + run]);
            count += run;
            at += run;
            if run < 4 || text.get(at) != Some(&b'+') || !text.get(at + 1).is_some_and(u8::is_ascii_digit) {
                break;
            }
            at += 1;
        }
        let whole = (13..=19).contains(&count) && !text.get(at).is_some_and(|b| b.is_ascii_alphanumeric());
        (whole && validate::is_card_number(&digits[..count])).then(|| {
            self.push(DetectorKind::Card, token.start, at, out);
            at
        })
    }

    /// The PAN of an EMV tag-length-value dump written as spaced bytes, `5A 08 49 17 36 68 45 81 37 80`: the token
    /// starts with the length byte after the tag `5A`, and the PAN is that many bytes after it (a trailing `F`
    /// pads an odd length). Pushed when a card number, and its end returned.
    fn emv_pan(&self, text: &[u8], token: &NumberToken, out: &mut Vec<Finding>) -> Option<usize> {
        let tagged = token.start >= 3
            && text[token.start - 3..token.start].eq_ignore_ascii_case(b"5a ")
            && (token.start == 3 || text[token.start - 4] == b' ');
        if !tagged || !self.on(DetectorKind::Card) || text.get(token.start + 2) != Some(&b' ') {
            return None;
        }
        let length = match text[token.start..token.start + 2] {
            [b'0', low @ b'6'..=b'9'] => usize::from(low - b'0'),
            _ => return None,
        };
        let start = token.start + 3;
        let mut digits = [0u8; 20];
        let mut count = 0;
        for byte in 0..length {
            let at = start + 3 * byte;
            let pair = text.get(at..at + 2)?;
            for &b in pair {
                match b {
                    b'0'..=b'9' => {
                        digits[count] = b;
                        count += 1;
                    }
                    b'F' | b'f' if byte == length - 1 => {}
                    _ => return None,
                }
            }
            if byte + 1 < length && text.get(at + 2) != Some(&b' ') {
                return None;
            }
        }
        let end = start + 3 * length - 1;
        let whole = !text.get(end).is_some_and(u8::is_ascii_alphanumeric);
        (whole && (12..=19).contains(&count) && validate::is_card_number(&digits[..count])).then(|| {
            self.push(DetectorKind::Card, start, end, out);
            end
        })
    }

    /// A token of several groups whose first one, of 13 to 19 digits, is a card number on its own: pushed, and
    /// its end returned.
    fn card_then_more(&self, text: &[u8], token: &NumberToken, out: &mut Vec<Finding>) -> Option<usize> {
        let first = *token.groups().first()?;
        if token.groups().len() < 2 || !(13..=19).contains(&first) || token.plus || token.paren_first {
            return None;
        }
        if !self.on(DetectorKind::Card) {
            return None;
        }
        let end = token.start + usize::from(first);
        validate::is_card_number(text.get(token.start..end)?).then(|| {
            self.push(DetectorKind::Card, token.start, end, out);
            end
        })
    }

    /// Pushes the IPv4 address `text[start..end]` (its octets joined by `separator`), unless it names no host
    /// (loopback, unspecified, broadcast).
    fn push_ipv4(&self, text: &[u8], start: usize, end: usize, separator: u8, out: &mut Vec<Finding>) {
        let address = quad_from(text, start, separator);
        if !address.is_some_and(|(_, octets)| names_no_host(std::net::IpAddr::from(octets))) {
            self.push(DetectorKind::Ip, start, end, out);
        }
    }

    /// A card number glued to a word on its left (`card_4111…`, `cc4111…`, `jane@example.com-4111…`), which no
    /// other number is read from: a run of 15, 16 or 19 digits from `i` (the lengths nearly every card has; a
    /// licence number such as `U62928788557186` has fourteen), not glued to a letter or digit on its right, that
    /// passes Luhn and an issuer range. Returns its end when it was pushed.
    fn glued_card(&self, text: &[u8], i: usize, out: &mut Vec<Finding>) -> Option<usize> {
        // Not the digits of a hex string (`…c1d6d172512758608802`, a trace id), which run on by chance: glued
        // straight to three hex letters or digits or more, they are a hash's.
        // Up to four capitals alone are a code before the number, not a hash (Amadeus's form of payment
        // `CCCA5306…`, card type `CA` after `CC`; not `DEADBEEF`).
        let glue = text[..i].iter().rev().take_while(|b| b.is_ascii_alphanumeric());
        let (glued, hex, capitals) = glue.fold((0, true, true), |(count, hex, capitals), b| {
            (count + 1, hex && b.is_ascii_hexdigit(), capitals && b.is_ascii_uppercase())
        });
        if glued >= 3 && hex && !(capitals && glued <= 4) {
            return None;
        }
        let run = text[i..].iter().take_while(|b| b.is_ascii_digit()).count();
        let end = i + run;
        let card = matches!(run, 15 | 16 | 19)
            && !text.get(end).is_some_and(u8::is_ascii_alphanumeric)
            && self.on(DetectorKind::Card)
            && validate::is_card_number(&text[i..end]);
        card.then(|| {
            self.push(DetectorKind::Card, i, end, out);
            end
        })
    }

    /// A number after a field's label in prose (`PESEL 82061173514`, `DNI 48213957T`, `NINO AB123456C`,
    /// `Steuer-ID ist 47 315 982 646`, `hetu 140387-234E`): pushed as that field's value, and its end returned.
    /// The number starts at `start` (a digit, or capitals glued to one: only two capitals and two digits start a
    /// number anchor, so `NIE Y3847102K` is not looked at); it is groups of letters and digits
    /// joined by single spaces, dashes, dots or slashes before a digit, with six digits or more and at most five
    /// letters. The label is looked for as phone context words are, in prose (`ContextWords::word_in_prose_before`).
    fn labeled_number(&self, text: &[u8], start: usize, out: &mut Vec<Finding>) -> Option<usize> {
        if self.labels.is_empty() || !self.labels.adjacent(text, start, 2) {
            return None;
        }
        let (mut end, mut digits, mut letters) = (start, 0usize, 0usize);
        loop {
            while let Some(&byte) = text.get(end).filter(|b| b.is_ascii_alphanumeric()) {
                if byte.is_ascii_digit() {
                    digits += 1;
                } else {
                    letters += 1;
                }
                end += 1;
            }
            let joined = text.get(end).is_some_and(|b| matches!(b, b' ' | b'-' | b'.' | b'/'))
                && text.get(end + 1).is_some_and(u8::is_ascii_digit);
            if !joined || end - start > 32 {
                break;
            }
            end += 1;
        }
        let shaped = (6..=20).contains(&digits) && letters <= 5 && end - start <= 32;
        // Not glued to a word after it (`12345678é`), but to the scripts written without spaces from U+3000 on
        // (`マイナンバー136843971899を`).
        if !shaped || text.get(end).is_some_and(|&b| b == b'_' || b == b'@' || (0x80..0xE3).contains(&b)) {
            return None;
        }
        let (entity, action) = self.labels.before(text, start, false)?;
        // Not a quantity (`passport check took 1234567 ms`).
        if letters == 0 && (quantity_before(text, start) || unit_after(text, end)) {
            return None;
        }
        out.push(Finding { start, end, entity, action });
        Some(end)
    }

    /// Password-shaped words after a label of a secret field in prose (`Passwort jetzt auf Hamburg#1987`, `le mot
    /// de passe provisoire Soleil2024`, `koden jeg brugte var Hygge!2023`): looked for from the capitals.
    fn labeled_passwords(&self, text: &[u8], anchors: &View<'_>, out: &mut Vec<Finding>) {
        if !self.labels.has_secrets() {
            return;
        }
        let mut after = 0;
        for start in anchors.positions(Anchor::Cap) {
            if start < after {
                continue;
            }
            // (From U+3000 on: the scripts written without spaces, not `£` or `µs`.)
            if text[start] >= 0xE3 && !self.labels.glued_secret_words.is_empty() {
                if let Some(end) = self.glued_password(text, start, out) {
                    after = end;
                    continue;
                }
            }
            let Some((end, marked)) = password_end(text, start) else { continue };
            // A word with a mark of a chosen password (`Hygge!2023`) may stand a few words after its label, as
            // the window of context words reaches; one with only digits (`Soleil2024`) must follow it right
            // after (not `password for Jenkins2`, `password reset for user Johnson2024`).
            if !marked && !self.labels.adjacent(text, start, 0) {
                continue;
            }
            if let Some((entity, action)) = self.labels.before(text, start, true) {
                out.push(Finding { start, end, entity, action });
                after = end;
            }
        }
    }

    /// A password glued to a secret's label in a script written without spaces, the label ending the run of such
    /// characters that starts at `start` (`ログインできません。パスワードはvrdxNTwbGS^62です`, `我的密码是PqX8MvuOF~51，`):
    /// the ASCII letters, digits and marks right after it, 6 to 40 of them with a small letter and a digit or a
    /// mark. Pushed, and its end returned.
    #[cold]
    #[inline(never)]
    fn glued_password(&self, text: &[u8], start: usize, out: &mut Vec<Finding>) -> Option<usize> {
        // The run of characters that are not ASCII from `start` (a capitals anchor starts each run once), which
        // the label must end: each run is read once, so a line is read in linear time.
        let run_end = text[start..].iter().position(u8::is_ascii).map_or(text.len(), |p| start + p);
        let run = &text[start..run_end];
        let &(_, field) = self.labels.glued_secret_words.iter().find(|(label, _)| run.ends_with(label))?;
        const MARKS: &[u8] = b"!#$%&*+?^~_.-@/";
        let len =
            text[run_end..].iter().take(41).take_while(|&&b| b.is_ascii_alphanumeric() || MARKS.contains(&b)).count();
        let mut value_end = run_end + len;
        while value_end > run_end && text[value_end - 1] == b'.' {
            value_end -= 1;
        }
        let value = &text[run_end..value_end];
        // A small letter and a digit or a mark: not a word (`密码是abc`) nor a hash's name (`密码是SHA256加密的`).
        let small = value.iter().any(u8::is_ascii_lowercase);
        let digit_or_mark = value.iter().any(|&b| b.is_ascii_digit() || MARKS.contains(&b));
        let alone = text.get(value_end).is_none_or(|&b| !b.is_ascii_alphanumeric());
        if !((6..=40).contains(&value.len()) && small && digit_or_mark && alone) {
            return None;
        }
        let (entity, action, _) = self.labels.fields[field];
        out.push(Finding { start: run_end, end: value_end, entity, action });
        Some(value_end)
    }

    /// Decides whether a number token is a phone number; returns the end of the phone (with an extension).
    fn phone(&self, text: &[u8], token: &NumberToken, context: ScanContext) -> Option<usize> {
        let digits = token.digits();
        let count = digits.len();
        if !(7..=15).contains(&count) || !token.phone_grouping() {
            return None;
        }
        // The seconds of a time of day, with a fraction and an offset (`14:26:36.250-05:00`, `14:26:36.123456+01`),
        // read as seven digits or more: a number right after `digit:` is part of a time, not a phone.
        if token.start >= 2 && text[token.start - 1] == b':' && text[token.start - 2].is_ascii_digit() {
            return None;
        }
        let end = extension_end(text, token.end);
        let groups = token.groups();
        let structured = groups.len() >= 2;
        let strong = if token.plus {
            let trunk = token.has_paren_zero();
            phone::international(digits).is_some() || (trunk && phone::strip_trunk_in_international(digits).is_some())
        } else if structured && digits.starts_with(b"00") && count >= 10 && !nanp_shape(groups, token.paren_first) {
            // `00` dials abroad, but not in the shape of a North American number (`004-320-1737`).
            phone::international(&digits[2..]).is_some()
        } else if structured && digits.starts_with(b"011") && count >= 11 {
            phone::international(&digits[3..]).is_some()
        } else if structured && nanp_shape(groups, token.paren_first) {
            let ten = if count == 11 { &digits[1..] } else { digits };
            (count == 10 || digits[0] == b'1') && phone::nanp_valid(ten)
        } else if structured && digits[0] == b'0' && count >= 10 {
            phone::national(digits, &self.regions).is_some()
        } else if token.paren_first && groups == [2, 5, 4] && token.separators[1] == b'-' && digits[2] == b'9' {
            // Brazil's way with a mobile: the area code in parentheses, without the trunk 0, a 9 and the number's
            // halves joined by a dash (`(11) 97712-4408`). A fixed line (`(21) 3456-7890`) reads like a range
            // (`(21) 2020-2024`): it needs a context word.
            phone::national(digits, &self.regions).is_some()
        } else {
            false
        };
        if strong || context.phone_key() {
            return Some(end);
        }
        // Digits only under a key that holds a phone (`to=447418343012`, `"dst":"254712345678"`,
        // `b_number=07700900987`): a plan must confirm them (see `e164_digits`).
        let keyed = groups.len() == 1
            && (10..=17).contains(&count)
            && self.e164_digits(digits)
            && (context.e164_key() || self.near_label(&self.e164_keys, text, token.start));
        if keyed {
            return Some(end);
        }
        // Numbers that no numbering plan confirms count with a context word, unless they read as something else:
        // a unix time (`registered 1732873423`), a quantity (`size 1234567`, `took 1234567 ns`) or a date
        // (`2024 01 15`).
        let unix_time = groups.len() == 1 && digits[0] == b'1' && (count == 10 || count == 13);
        if unix_time || token.looks_like_spaced_date() || quantity_before(text, token.start) || unit_after(text, end) {
            return None;
        }
        if self.followed_by(text, end) || self.near(&self.phone_context, text, token.start) {
            return Some(end);
        }
        None
    }

    /// True when `digits`, the value of one of the `e164_keys`, are a phone number by a numbering plan: E.164 as
    /// machines emit it (11 to 15 digits with a country code, without its `+` or after `00`), or a national number
    /// with its trunk 0 in one of the regions.
    fn e164_digits(&self, digits: &[u8]) -> bool {
        let international = digits.strip_prefix(b"00").unwrap_or(digits);
        (11..=15).contains(&international.len()) && phone::international(international).is_some()
            || digits.first() == Some(&b'0') && digits.len() >= 10 && phone::national(digits, &self.regions).is_some()
    }

    /// True when a context word of `words` stands before `start` (see `ContextWords::before`).
    fn near(&self, words: &Option<ContextWords>, text: &[u8], start: usize) -> bool {
        words.as_ref().is_some_and(|words| words.before(text, start))
    }

    /// True when the number at `start` has a label (`to=`, `"dst":`) that mentions one of `words` (see
    /// `ContextWords::in_label_before`).
    fn near_label(&self, words: &Option<ContextWords>, text: &[u8], start: usize) -> bool {
        words.as_ref().is_some_and(|words| words.in_label_before(text, start))
    }

    /// True when one of the after-words follows `end`, past spaces, dashes, commas or an opening parenthesis.
    fn followed_by(&self, text: &[u8], end: usize) -> bool {
        let rest = &text[end..];
        let skip = rest.iter().take(3).take_while(|&&b| matches!(b, b' ' | b'-' | b',' | b'\t')).count();
        let rest = &rest[skip..];
        if !rest.first().is_some_and(|&b| self.phone_after_first[usize::from(b)]) {
            return false;
        }
        self.phone_context_after
            .iter()
            .any(|word| rest.len() >= word.len() && rest[..word.len()].eq_ignore_ascii_case(word))
    }

    // ---- secrets -----------------------------------------------------------------------------------------

    fn secrets(&self, rules: &Rules, text: &[u8], anchors: &View<'_>, memo: &mut KeyMemo, out: &mut Vec<Finding>) {
        if !self.on(DetectorKind::Secret) {
            return;
        }
        // Where the last SQL insert's rows were read to: a `VALUES` inside them is not read again (each would read
        // to the end of an unclosed row: quadratic on a hostile line).
        let mut sql_read_to = 0;
        for (start, pattern) in anchors.secrets() {
            let (prefix, kind) = SECRET_PREFIXES[pattern];
            let after = start + prefix.len();
            let glued = start > 0 && (text[start - 1].is_ascii_alphanumeric() || text[start - 1] == b'_');
            if glued && kind != SecretKind::Scheme {
                continue;
            }
            let span = match kind {
                SecretKind::Scheme => {
                    if glued {
                        continue;
                    }
                    let token_start = after + text[after..].iter().take_while(|&&b| b == b' ').count();
                    let token_end = token_start + text[token_start..].iter().take_while(|&&b| is_token_byte(b)).count();
                    // `token_type=Bearer expires_in=3600`: a pair after the scheme's name, not a token (a token's
                    // `=` only pads its end).
                    let pair = text[token_start..token_end]
                        .iter()
                        .position(|&b| b == b'=')
                        .is_some_and(|at| text[token_start + at..token_end].iter().any(|&b| b != b'='));
                    (token_end - token_start >= 8 && !pair).then_some((token_start, token_end))
                }
                SecretKind::Jwt => jwt_end(text, start).map(|end| (start, end)),
                SecretKind::Prefixed(min) => {
                    let body = text[after..]
                        .iter()
                        .take_while(|&&b| {
                            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'+' | b'/' | b'=')
                        })
                        .count();
                    (body >= min).then_some((start, after + body))
                }
                SecretKind::UrlPath { min, slashes } => {
                    let body = text[after..]
                        .iter()
                        .take_while(|&&b| {
                            b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b'~') || slashes && b == b'/'
                        })
                        .count();
                    (body >= min).then_some((after, after + body))
                }
                SecretKind::SqlPassword => sql_password(text, after),
                SecretKind::RedisAuth => redis_auth(text, after),
                SecretKind::RedisHash => {
                    redis_hash(text, after, |field, start, end| {
                        memo.push_as_value_of(rules, field, text, (start, end), out)
                    });
                    None
                }
                SecretKind::QuotedLogin => {
                    let quote = text[after - 1];
                    let rest = &text[after..];
                    let len = memchr::memchr(quote, &rest[..rest.len().min(65)]);
                    if let Some(len) = len.filter(|&len| is_login(&rest[..len])) {
                        memo.push_as_value_of(rules, b"username", text, (after, after + len), out);
                    }
                    None
                }
                SecretKind::HomeDir => {
                    if let Some((login_start, login_end)) = home_directory_login(text, start, after) {
                        memo.push_as_value_of(rules, b"username", text, (login_start, login_end), out);
                    }
                    None
                }
                SecretKind::FcmToken => {
                    let body = text[after..].iter().take_while(|&&b| is_token_byte(b)).count();
                    // The instance id before the `:` (eleven bytes or more of base64url), when there is one.
                    let id = match start.checked_sub(1).map(|colon| text[colon]) {
                        Some(b':') => text[..start - 1]
                            .iter()
                            .rev()
                            .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
                            .count(),
                        _ => 0,
                    };
                    let from = if id >= 11 { start - 1 - id } else { start };
                    (body >= 60).then_some((from, after + body))
                }
                SecretKind::SqlInsert if start >= sql_read_to => {
                    sql_read_to = sql_insert(text, start, after, |column, start, end| {
                        memo.push_as_value_of(rules, column, text, (start, end), out)
                    });
                    None
                }
                SecretKind::SqlInsert => None,
                SecretKind::AwsKeyId => {
                    let body =
                        text[after..].iter().take_while(|&&b| b.is_ascii_uppercase() || b.is_ascii_digit()).count();
                    (body == 16).then_some((start, after + body))
                }
                SecretKind::PrivateKey => {
                    let header_end = text[after..].windows(5).position(|w| w == b"-----").map(|p| after + p + 5);
                    match header_end {
                        Some(header_end) if text[after..header_end].windows(11).any(|w| w == b"PRIVATE KEY") => {
                            let end = text[header_end..]
                                .windows(9)
                                .position(|w| w == b"-----END ")
                                .and_then(|p| {
                                    let from = header_end + p + 9;
                                    text[from..].windows(5).position(|w| w == b"-----").map(|q| from + q + 5)
                                })
                                .unwrap_or(text.len());
                            Some((start, end))
                        }
                        _ => None,
                    }
                }
            };
            if let Some((start, end)) = span {
                self.push(DetectorKind::Secret, start, end, out);
            }
        }
    }

    // ---- key=value and "key": value pairs under classified keys ---------------------------------------

    fn key_values(&self, rules: &Rules, text: &[u8], anchors: &View<'_>, memo: &mut KeyMemo, out: &mut Vec<Finding>) {
        let mut from = 0;
        // The type of the object the last quoted key was in, and where that key started (see `object_type_before`).
        let mut object_type: (usize, Option<(usize, usize)>) = (usize::MAX, None);
        for at in anchors.positions(Anchor::Sep) {
            if at < from {
                continue;
            }
            from = at + 1;
            if text[at] == b'-' {
                // A flag of one letter means what its command says (`-p` is a port to `ssh`): `commands`.
                let long = at > 0 && text[at - 1] == b'-';
                if self.on(DetectorKind::Secret) {
                    let dash = if long { at - 1 } else { at };
                    commands::password_value(text, dash, |start, end| self.push(DetectorKind::Secret, start, end, out));
                }
                if long {
                    if let Some(end) = self.flag_value(rules, text, at, memo, out) {
                        from = end;
                    }
                }
                continue;
            }
            // A Telegram bot's token (`6319582482:AAJbUm8…`, also in its API's URLs, `…/bot6319582482:AA…`): the
            // bot's id, `:AA` and base64url.
            if text[at] == b':' && text.get(at + 1..at + 3) == Some(b"AA") {
                let id = text[..at].iter().rev().take(11).take_while(|b| b.is_ascii_digit()).count();
                if let Some(end) = telegram_token_at(text, at - id) {
                    if self.on(DetectorKind::Secret) {
                        self.push(DetectorKind::Secret, at - id, end, out);
                    }
                    from = end;
                    continue;
                }
            }
            let Some((key_start, key_end)) = key_before(text, anchors, at) else {
                continue;
            };
            let separator = text[at];
            let Some(next) = text.get(at + 1).copied() else { continue };
            let no_pair = match (separator, next) {
                // `https://` and `a::b`.
                (b':', b'/' | b':') => true,
                // The service of an AWS ARN (`arn:aws:secretsmanager:eu-west-1:…`) is no key.
                (b':', _) if text[..key_start].ends_with(b"arn:aws:") => true,
                // The `==` that pads base64 (`cursor=eyJwYWdlIjoyfQ==`, whose letters read as a key): no value, and
                // no lookup of a key seen once.
                (b'=', b'=') => {
                    !text.get(at + 2).is_some_and(|b| b.is_ascii_alphanumeric() || matches!(b, b'"' | b'\''))
                }
                _ => false,
            };
            if no_pair {
                continue;
            }
            // The entity of a hash token (`[SECRET:9f2c41]`) is no key: redacting twice leaves the token as it is.
            if separator == b':' && key_start > 0 && replacement_at(text, key_start - 1).is_some() {
                continue;
            }
            // `curl -u alice:s3cret` (also wget, httpie): the user and password of basic authentication.
            if separator == b':' && next != b' ' {
                if let Some((start, end)) = user_password_flag(text, key_start) {
                    self.push(DetectorKind::Secret, start, end, out);
                    from = end.max(from);
                    continue;
                }
            }
            // A Windows event's `<Data Name="TargetUserName">` and `<Provider Name="…">` name a field and a
            // program (the field's value is read by `xml_elements`).
            if text[..key_end].ends_with(b"<Data Name") || text[..key_end].ends_with(b"<Provider Name") {
                continue;
            }
            let mut rule = memo.lookup(rules, text, key_start, key_end);
            // A quoted key of an object whose type some rule is limited to (a webhook's JSON or a Python dict after
            // a prefix: `received: {"type":"tag","name":"vip"}`): that object's rule.
            let mut in_typed_object = false;
            if rule.is_some_and(|rule| rule.typed) && key_start > 0 && matches!(text[key_start - 1], b'"' | b'\'') {
                object_type = object_type_before(text, key_start, object_type);
                if let Some((start, end)) = object_type.1.filter(|&(s, e)| rules.names_an_object_type(&text[s..e])) {
                    rule = memo.typed_rule(rules, &text[key_start..key_end], &text[start..end]);
                    in_typed_object = true;
                }
            }
            let rule = match rule {
                Some(rule) => Some(rule),
                None if in_typed_object => None,
                // Keys no rule lists, read with the words before them or with the rest of the text.
                None if may_name_a_value(text, key_start, key_end) => {
                    self.unlisted_key_rule(rules, text, key_start, key_end, memo)
                }
                // Sudo's `TTY=` and PAM's `(uid=`, after the login they log.
                None if matches!(&text[key_start..key_end], b"TTY" | b"uid" | b"user" | b"User" | b"USER") => {
                    auth_log_user(rules, text, key_start, key_end, memo, out);
                    None
                }
                None => None,
            };
            let Some(KeyRule { entity, action, text_value, shape, .. }) = rule else {
                continue;
            };
            if let Some((mut start, end)) = value_after(text, at) {
                // `Authorization: Bearer TOKEN`: the scheme is not the secret.
                for scheme in [b"Bearer".as_slice(), b"bearer", b"Basic", b"basic", b"Token", b"token"] {
                    if text[start..end] == *scheme {
                        start = end;
                    } else if text[start..end].starts_with(scheme) && text[start + scheme.len()] == b' ' {
                        start += scheme.len() + 1;
                    }
                }
                // Schemes that no secret prefix reads (Elasticsearch's `ApiKey`, Okta's `SSWS`): the token after.
                let mut end = end;
                for scheme in [b"ApiKey".as_slice(), b"apikey", b"APIKEY", b"SSWS"] {
                    let rest = &text[start..];
                    if rest.starts_with(scheme) && rest.get(scheme.len()) == Some(&b' ') {
                        start += scheme.len() + 1;
                        end = end.max(start + text[start..].iter().take_while(|&&b| is_token_byte(b)).count());
                    }
                }
                // Nothing left, a value that is already a replacement (`[REDACTED]`, `[EMAIL:9f2c41]`), or after a
                // spaced `=` no letter or digit at all (`client_ip = %20\|…`, SQL being built): no value.
                let spaced = separator == b'=' && next == b' ';
                let wordless = |value: &[u8]| !value.iter().any(|&b| b.is_ascii_alphanumeric() || b >= 0x80);
                // An empty value before the next pair (PAM's `logname= uid=0`, `ruser= rhost=…`): none.
                let next_pair = |value: &[u8]| {
                    let word = &value[..value.iter().position(|&b| b == b' ').unwrap_or(value.len())];
                    word.iter().position(|&b| b == b'=').is_some_and(|at| {
                        at > 0
                            && word[0].is_ascii_alphabetic()
                            && word[..at].iter().all(|&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
                            && word.get(at + 1).is_some_and(|&b| b != b'=')
                    })
                };
                if start >= end || replacement_at(text, start).is_some() || spaced && wordless(&text[start..end]) {
                    from = end.max(from);
                    continue;
                }
                // The next pair is read as one (`ruser= user=anna`).
                if spaced && next_pair(&text[start..end]) {
                    continue;
                }
                // A value of another shape than its rule's is scanned like any value (`driver=overlay2`), and a
                // `user=` of PAM's `authentication failure;` is its login whatever its shape.
                let shaped = match shape {
                    ValueShape::Any => Some(end),
                    _ if matches!(text[start - 1], b'"' | b'\'') => {
                        self.has_shape(shape, &text[start..end]).then_some(end)
                    }
                    // A bare value that the next word goes on from is another thing's (`CN=DigiCert Global G2 TLS
                    // RSA`, `CN=GTS CA 1C3`): a word with a digit or a capital, unless of `not_names` (`Stefanie
                    // Brandt On Duty`).
                    _ => self.shaped_start(shape, &text[start..end]).map(|len| start + len).filter(|&end| {
                        let next = text.get(end + 1..).unwrap_or_default();
                        let word = &next[..next.iter().position(|&b| b == b' ').unwrap_or(next.len())];
                        text.get(end) != Some(&b' ')
                            || !word.first().is_some_and(|b| b.is_ascii_digit() || b.is_ascii_uppercase())
                            || self.name_cues.not_a_name(word)
                    }),
                };
                let Some(end) = shaped else {
                    if text[key_start..key_end].eq_ignore_ascii_case(b"user") {
                        auth_log_user(rules, text, key_start, key_end, memo, out);
                    }
                    continue;
                };
                // A word about a value: the pairs inside it (`Location: https://…#access_token=…`) are still read.
                if names_no_value(rules, memo, entity, &text[key_start..key_end], &text[start..end]) {
                    continue;
                }
                // The name of a name/value pair (`EnvVar{Name:LOG_LEVEL,Value:debug}`) is a field's.
                if is_pair_name(&text[key_start..key_end]) {
                    let word =
                        text[start..end].iter().position(|&b| matches!(b, b' ' | b',')).map_or(end, |p| start + p);
                    if value_key_follows(text, word) && reads_as_a_key(&text[start..word]) {
                        continue;
                    }
                }
                // A header that holds many values (`Cookie: theme=dark; sessionid=…`): all of it, to the end of the
                // line, when the rules say so; a value that holds no space (an address), its first word.
                let end = match text_value {
                    TextValue::Token => end,
                    TextValue::Line => line_end(text, start),
                    TextValue::Address if matches!(text[start - 1], b'"' | b'\'') => end,
                    // Only a first word written as an address is one whole (with an `@` or a `:`, or hex digits
                    // between dots or dashes); else (`mac: 00 1A 2B …`, `email: jane.doe at example dot com`) the
                    // value reaches as far as any.
                    TextValue::Address => match memchr::memchr(b' ', &text[start..end]) {
                        Some(p) if reads_as_an_address(&text[start..start + p]) => start + p,
                        _ => end,
                    },
                };
                // Only spaces before the quote that ends the string (`Cookie: " "`): no value.
                if end <= start {
                    continue;
                }
                out.push(Finding { start, end, entity, action });
                from = end.max(from);
            }
        }
    }

    /// The value of a command-line flag that names a secret (`--password hunter2`, `--api-key "k 1"`), whose
    /// second dash is at `at`: pushed when the rules' entity for the flag's name is the secret detector's, and
    /// its end returned. Flags that name a file or a way to read a secret (`--password-file /run/pw`,
    /// `--password-stdin`), a value that is another flag, and `--flag=value` (a pair of its own) are passed.
    #[cold]
    #[inline(never)]
    fn flag_value(
        &self,
        rules: &Rules,
        text: &[u8],
        at: usize,
        memo: &mut KeyMemo,
        out: &mut Vec<Finding>,
    ) -> Option<usize> {
        let word_before = |i: usize| text[i].is_ascii_alphanumeric() || matches!(text[i], b'_' | b'-');
        if at >= 2 && word_before(at - 2) {
            return None;
        }
        let name_start = at + 1;
        let name_len =
            text[name_start..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-')).count();
        let name_end = name_start + name_len;
        if text.get(name_end) != Some(&b' ') {
            return None;
        }
        let name = &text[name_start..name_end];
        // `--password-file /run/pw`: where to read the secret, not the secret.
        let endings = &rules.detector(DetectorKind::Secret).flag_name_endings;
        if endings.iter().any(|ending| {
            name.len() > ending.len() && name[name.len() - ending.len()..].eq_ignore_ascii_case(ending.as_bytes())
        }) {
            return None;
        }
        let rule = memo.lookup(rules, text, name_start, name_end)?;
        if rule.entity != DetectorKind::Secret.entity() {
            return None;
        }
        let (start, end) = value_after(text, name_end)?;
        // A bare value is one argument; a quoted one may hold spaces. In parentheses, the first word
        // (`--password ( hunter2 )`).
        let quoted = matches!(text[start - 1], b'"' | b'\'');
        let start = if quoted { start } else { start + text[start..end].iter().take_while(|&&b| b == b' ').count() };
        let end = if quoted { end } else { memchr::memchr(b' ', &text[start..end]).map_or(end, |p| start + p) };
        if start == end
            || text[start] == b'-'
            || names_no_value(rules, memo, rule.entity, name, &text[start..end])
            || replacement_at(text, start).is_some()
        {
            return None;
        }
        out.push(Finding { start, end, entity: rule.entity, action: rule.action });
        Some(end)
    }

    /// The rule of an OAuth authorization code in a query string or a form body (`/callback?code=…&state=…`,
    /// `grant_type=authorization_code&code=…`): whoever has it, before it expires, can trade it for a token. A
    /// `code` pair is one when the text also holds `state=`, `redirect_uri=` or `authorization_code`.
    fn oauth_code(&self, text: &[u8], key_start: usize, key_end: usize) -> Option<KeyRule> {
        let contains = |needle: &[u8]| memchr::memmem::find(text, needle).is_some();
        // In a query string or a form body (`?code=`, `&code=`); in a line that names the grant also after a space
        // or a comma (curl's `-d code=…`, Keycloak's event `grant_type=authorization_code, code=…`).
        let oauth = key_start > 0
            && text[key_start..key_end].eq_ignore_ascii_case(b"code")
            && self.on(DetectorKind::Secret)
            && match text[key_start - 1] {
                b'?' | b'&' => contains(b"state=") || contains(b"redirect_uri=") || contains(b"authorization_code"),
                // There, only a value that reads as a code (sixteen bytes or more, with letters and digits), not
                // an HTTP status or an error's code (`status code=400`, `code=invalid_grant`).
                b' ' | b',' => contains(b"authorization_code") && reads_as_a_code(&text[key_end..]),
                _ => false,
            };
        let (entity, action) = self.secret_finding();
        oauth.then_some(KeyRule { entity, action, text_value: TextValue::Token, shape: ValueShape::Any, typed: false })
    }

    /// The rule of a key that no rule lists but that names a value with the words before it (`label_lookup`), as
    /// an OAuth `code`, as the `Value` of a name/value pair or as FreeRADIUS's `Login incorrect:`.
    #[cold]
    #[inline(never)]
    fn unlisted_key_rule(
        &self,
        rules: &Rules,
        text: &[u8],
        key_start: usize,
        key_end: usize,
        memo: &mut KeyMemo,
    ) -> Option<KeyRule> {
        label_lookup(rules, text, key_start, key_end, memo)
            .or_else(|| self.oauth_code(text, key_start, key_end))
            .or_else(|| pair_name_rule(rules, text, key_start, key_end, memo))
            .or_else(|| cef_label_rule(rules, text, key_start, key_end, memo))
            .or_else(|| {
                let (entity, action) = self.secret_finding();
                let secret =
                    KeyRule { entity, action, text_value: TextValue::Token, shape: ValueShape::Any, typed: false };
                radius_login(text, key_start, key_end, secret).filter(|_| self.on(DetectorKind::Secret))
            })
    }

    /// `<password>hunter2</password>`, `<ns:Email>…</ns:Email>`: the text of an XML element whose name (its local
    /// part) is a classified key, as SOAP and XML payloads are logged (only the namespaced ones when
    /// `namespaced_only`: the HTML reader blanks those as markup, so the engine reads them from the raw text of a
    /// line it reads as HTML).
    pub(crate) fn xml_elements(
        &self,
        rules: &Rules,
        text: &[u8],
        anchors: &View<'_>,
        namespaced_only: bool,
        memo: &mut KeyMemo,
        out: &mut Vec<Finding>,
    ) {
        let is_name_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.' | b':');
        for at in anchors.positions(Anchor::Lt) {
            let name_start = at + 1;
            let name_end = name_start + text[name_start..].iter().take_while(|b| is_name_byte(b)).count();
            let windows_data = &text[name_start..name_end] == b"Data" && text[name_end..].starts_with(b" Name=\"");
            if name_end == name_start
                || !text[name_start].is_ascii_alphabetic()
                || namespaced_only && !text[name_start..name_end].contains(&b':') && !windows_data
            {
                continue;
            }
            // Attributes may follow the name (`<password type="plain">`); a self-closing element has no text.
            let Some(close) = memchr::memchr(b'>', &text[name_end..]).map(|p| name_end + p) else { continue };
            if !matches!(text[name_end], b'>' | b' ') || text[close - 1] == b'/' {
                continue;
            }
            let value_start = close + 1;
            let Some(value_end) = memchr::memchr(b'<', &text[value_start..]).map(|p| value_start + p) else {
                continue;
            };
            let name = &text[name_start..name_end];
            let closing = &text[value_end..];
            let closed = closing.starts_with(b"</")
                && closing[2..].starts_with(name)
                && closing.get(2 + name.len()) == Some(&b'>');
            if !closed || value_end == value_start || text[value_start] == b'[' {
                continue;
            }
            let mut local_start = name.iter().rposition(|&b| b == b':').map_or(name_start, |p| name_start + p + 1);
            let mut local_end = name_end;
            // A Windows event's `<Data Name="TargetUserName">jkessler</Data>`: the key is the `Name` attribute's.
            if windows_data {
                let key_start = name_end + 7;
                let Some(key_end) = memchr::memchr(b'"', &text[key_start..close]).map(|p| key_start + p) else {
                    continue;
                };
                (local_start, local_end) = (key_start, key_end);
            }
            if local_start == local_end {
                continue;
            }
            if let Some(rule) = memo.lookup(rules, text, local_start, local_end) {
                out.push(Finding { start: value_start, end: value_end, entity: rule.entity, action: rule.action });
            }
        }
    }

    // ---- user-defined patterns ----------------------------------------------------------------------------

    fn pattern(&self, index: usize, pattern: &PatternRule, text: &[u8], out: &mut Vec<Finding>) {
        for found in pattern.regex.find_iter(text) {
            if let Some((_, validate)) = &pattern.validator {
                let mut compact = [0u8; 64];
                let mut len = 0;
                for &byte in found.as_bytes().iter().filter(|b| b.is_ascii_alphanumeric()) {
                    if len == compact.len() {
                        break;
                    }
                    compact[len] = byte.to_ascii_uppercase();
                    len += 1;
                }
                if !validate(&compact[..len]) {
                    continue;
                }
            }
            if self.pattern_context[index].is_some() && !self.near(&self.pattern_context[index], text, found.start()) {
                continue;
            }
            out.push(Finding {
                start: found.start(),
                end: found.end(),
                entity: pattern.entity,
                action: pattern.action,
            });
        }
    }
}

/// Sorts the findings from `first` on by start and merges overlapping ones into their union.
fn normalize(out: &mut Vec<Finding>, first: usize) {
    let tail = &mut out[first..];
    if tail.len() < 2 {
        return;
    }
    tail.sort_unstable_by(|a, b| a.start.cmp(&b.start).then(b.end.cmp(&a.end)));
    let mut write = first;
    for read in first..out.len() {
        let finding = out[read];
        if write > first && finding.start < out[write - 1].end {
            let kept = &mut out[write - 1];
            kept.end = kept.end.max(finding.end);
            continue;
        }
        out[write] = finding;
        write += 1;
    }
    out.truncate(write);
}

// ---- byte scanning -------------------------------------------------------------------------------------------

/// The end of a word at `start` shaped like a chosen password: a capital, two small letters or more, then
/// letters, digits and marks with a digit or a mark among them (`Hamburg#1987`, `Soleil2024`, `Dracula!77`), 6
/// to 40 bytes, standing alone (not `Chrome/131`, `Win64`).
fn password_end(text: &[u8], start: usize) -> Option<(usize, bool)> {
    const MARKS: &[u8] = b"!#$%&*+?^~_.-";
    // Not a part of a path or of a name (`/home/Users2023`, `C:\\Temp1`).
    let glued = |b: u8| b.is_ascii_alphanumeric() || MARKS.contains(&b) || matches!(b, b'/' | b'\\' | b'@' | b':');
    if !text[start].is_ascii_uppercase() || start > 0 && glued(text[start - 1]) {
        return None;
    }
    // A capital and small letters start it (`Hamburg#1987`), or it holds a mark, a digit and a small letter
    // anywhere (`N1mbu554ffr0n!`, `PqX8MvuOF~51`), checked below.
    let small = text[start + 1..].iter().take(40).take_while(|b| b.is_ascii_lowercase()).count();
    let mixed = small < 2;
    let from = if mixed { start + 1 } else { start + 1 + small };
    let rest = text[from..].iter().take(40).take_while(|&&b| b.is_ascii_alphanumeric() || MARKS.contains(&b)).count();
    let mut end = from + rest;
    // A full stop after it ends the sentence.
    while end > from && text[end - 1] == b'.' {
        end -= 1;
    }
    let word = &text[from..end];
    let shaped = word.iter().any(|&b| b.is_ascii_digit() || MARKS.contains(&b));
    // Not a file's name (`Config.yaml`) or an identifier (`AdminUser_01`).
    let file = word.windows(2).any(|pair| pair[0] == b'.' && pair[1].is_ascii_alphabetic());
    let alone = text.get(end).is_none_or(|b| matches!(b, b' ' | b',' | b';' | b')' | b'"' | b'\'' | b'.' | b'\n'));
    let marked = word.iter().any(|b| b"!#$%&*+?^~".contains(b));
    let mixed_ok = !mixed
        || marked && end - start >= 8 && word.iter().any(u8::is_ascii_digit) && word.iter().any(u8::is_ascii_lowercase);
    (shaped && mixed_ok && !file && !word.contains(&b'_') && alone && (6..=40).contains(&(end - start)))
        .then_some((end, marked))
}

/// The start of the one to five capitals that the digit at `i` is glued to (`Y3847102K`, `BKWPS4821L`), when
/// they start a word.
fn capitals_before(text: &[u8], i: usize) -> Option<usize> {
    let capitals = text[..i].iter().rev().take(6).take_while(|b| b.is_ascii_uppercase()).count();
    let start = i - capitals;
    let free =
        start == 0 || !(text[start - 1].is_ascii_alphanumeric() || matches!(text[start - 1], b'_' | b'-' | b'.'));
    ((1..=5).contains(&capitals) && free).then_some(start)
}

fn is_hex_colon(byte: u8) -> bool {
    byte.is_ascii_hexdigit() || byte == b':'
}

/// True when the `:` at `i` begins `::` or a chain of three colons at most five bytes apart: every IPv6 address
/// has a `::` or six colons and every MAC five, while a time of day (`14:26:36`) has two.
fn colon_chain(text: &[u8], i: usize) -> bool {
    let colon_within_five = |at: usize| (at + 1..at + 6).find(|&k| text.get(k) == Some(&b':'));
    text.get(i + 1) == Some(&b':') || colon_within_five(i).and_then(colon_within_five).is_some()
}

/// True when the digit at `i` begins an ISO 8601 date glued to its time (`2025-11-29T14:26:36Z`), the most
/// common number in logs: the date is glued to the `T`, which is what reading the token would conclude, at a
/// fraction of the cost. Not after `+` or `(`, which would make it a different token.
fn iso_date_time(text: &[u8], i: usize) -> bool {
    let Some(date) = text.get(i..i + 11) else { return false };
    let digits = |range: std::ops::Range<usize>| date[range].iter().all(u8::is_ascii_digit);
    let separator = date[4];
    matches!(separator, b'-' | b'/' | b'.')
        && date[7] == separator
        && date[10] == b'T'
        && digits(0..4)
        && digits(5..7)
        && digits(8..10)
        && !(i > 0 && matches!(text[i - 1], b'+' | b'('))
}

/// True when `text` is exactly a date and time of day in ISO 8601 form: `YYYY-MM-DD`, `T` or a space,
/// `HH:MM:SS`, an optional fraction of one to nine digits, and an optional `Z` or offset (`+01:00`, `-0500`).
fn is_timestamp(text: &[u8]) -> bool {
    let Some((head, rest)) = text.split_first_chunk::<19>() else { return false };
    let word = |at: usize| head[at..].first_chunk::<8>().map_or(0, |bytes| u64::from_le_bytes(*bytes));
    const DATE: WordShape = WordShape::of(b"dddd-dd-");
    const DAY_HOUR: WordShape = WordShape::of(b"dd?dd:dd");
    const TIME: WordShape = WordShape::of(b"dd:dd:dd");
    let shaped = DATE.fits(word(0)) && DAY_HOUR.fits(word(8)) && TIME.fits(word(11)) && matches!(head[10], b'T' | b' ');
    if !shaped {
        return false;
    }
    let digits = |bytes: &[u8]| bytes.iter().all(u8::is_ascii_digit);
    let rest = match rest.split_first() {
        Some((b'.', fraction)) => {
            let count = fraction.iter().take_while(|b| b.is_ascii_digit()).count();
            if !(1..=9).contains(&count) {
                return false;
            }
            &fraction[count..]
        }
        _ => rest,
    };
    match rest {
        [] | [b'Z'] => true,
        [b'+' | b'-', offset @ ..] => match offset {
            [h1, h2, b':', m1, m2] | [h1, h2, m1, m2] => digits(&[*h1, *h2, *m1, *m2]),
            [h1, h2] => digits(&[*h1, *h2]),
            _ => false,
        },
        _ => false,
    }
}

/// The shape of eight bytes read as one little-endian word: digits where the pattern has `d`, any byte where it
/// has `?`, that very byte elsewhere. Checked a word at a time (the `ts` of every JSON line goes through it).
struct WordShape {
    /// `0` where a digit goes, the byte itself where it must be exact, zero where anything goes.
    template: u64,
    /// 0xFF on the bytes that are digits.
    digits: u64,
    /// 0xFF on the bytes that must be exact.
    exact: u64,
}

impl WordShape {
    const fn of(pattern: &[u8; 8]) -> WordShape {
        let (mut template, mut digits, mut exact) = (0u64, 0u64, 0u64);
        let mut i = 0;
        while i < 8 {
            let shift = 8 * i as u32;
            match pattern[i] {
                b'd' => {
                    template |= (b'0' as u64) << shift;
                    digits |= 0xFF << shift;
                }
                b'?' => {}
                byte => {
                    template |= (byte as u64) << shift;
                    exact |= 0xFF << shift;
                }
            }
            i += 1;
        }
        WordShape { template, digits, exact }
    }

    /// True when `word` has this shape. A digit's byte XOR `0` is below 10, which adding 0x76 leaves below 0x80;
    /// any other byte has its top bit set one way or the other (a carry out of a `?` byte can only turn a match
    /// into a miss, never the reverse).
    #[inline(always)]
    fn fits(&self, word: u64) -> bool {
        let x = word ^ self.template;
        x & self.exact == 0 && (x | x.wrapping_add(0x7676_7676_7676_7676)) & 0x8080_8080_8080_8080 & self.digits == 0
    }
}

fn is_token_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'-' | b'.' | b'_' | b'~' | b'+' | b'/' | b'=')
}

/// The end of the IPv4 address that starts at `at` (four groups of one to three digits joined by single dots,
/// each at most 255 without a leading zero), if one does and no digit, letter or further dotted part follows it.
#[inline(always)]
fn dotted_quad_at(text: &[u8], at: usize) -> Option<usize> {
    // Most groups read in a number token (of a date, a phone, a time) have no dot in their first four bytes.
    let dot = |i: usize| text.get(at + i) == Some(&b'.');
    if !(dot(1) || dot(2) || dot(3)) {
        return None;
    }
    dotted_quad_from(text, at)
}

/// `dotted_quad_at` after its first look.
#[inline(never)]
fn dotted_quad_from(text: &[u8], at: usize) -> Option<usize> {
    let (i, _) = quad_from(text, at, b'.')?;
    let longer = text.get(i) == Some(&b'.') && text.get(i + 1).is_some_and(u8::is_ascii_alphanumeric);
    let glued = text.get(i).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    (!longer && !glued).then_some(i)
}

/// The end of an IPv4 address written with dashes into a host name, from `at` (after the dash that joins it to
/// the name's first word): `10-0-4-5` in `ip-10-0-4-5.ec2.internal`. Not a part of a longer run of numbers
/// joined by dashes or dots (`x-10-1-2-3-4`, `2021-1-2-3-4`), nor glued to a word on its right.
fn dashed_quad_at(text: &[u8], at: usize) -> Option<usize> {
    let (end, _) = quad_from(text, at, b'-')?;
    let word = text[..at - 1].iter().rev().take_while(|b| b.is_ascii_alphanumeric());
    let (length, digits) = word.fold((0, true), |(length, digits), b| (length + 1, digits && b.is_ascii_digit()));
    let after_number = digits && at - 1 > length && matches!(text[at - 2 - length], b'-' | b'.');
    let longer = text.get(end) == Some(&b'-') && text.get(end + 1).is_some_and(u8::is_ascii_alphanumeric);
    let glued = text.get(end).is_some_and(|&b| b.is_ascii_alphanumeric() || b == b'_');
    (!after_number && !longer && !glued).then_some(end)
}

/// The end of an IPv4 address written with dashes at the start of a host name, from `at`: `187-45-112-9` in
/// `187-45-112-9.dynamic.example.net`, as reverse DNS names clients. Only before `.` and a letter: four groups
/// of digits alone may be a phone number or a date.
fn host_quad_at(text: &[u8], at: usize) -> Option<usize> {
    let (end, _) = quad_from(text, at, b'-')?;
    let host = text.get(end) == Some(&b'.') && text.get(end + 1).is_some_and(u8::is_ascii_alphabetic);
    host.then_some(end)
}

/// Four groups of one to three digits from `at`, each an IPv4 octet, with `separator` between them: their end
/// and the address's octets.
fn quad_from(text: &[u8], at: usize, separator: u8) -> Option<(usize, [u8; 4])> {
    // Every part three digits (`010.020.001.005`).
    let padded = text.get(at..at + 15).is_some_and(|quad| {
        quad.iter().enumerate().all(|(k, &b)| if k % 4 == 3 { b == separator } else { b.is_ascii_digit() })
    }) && !text.get(at + 15).is_some_and(u8::is_ascii_digit);
    let mut i = at;
    let mut octets = [0u8; 4];
    for (group, octet) in octets.iter_mut().enumerate() {
        if group > 0 {
            if text.get(i) != Some(&separator) {
                return None;
            }
            i += 1;
        }
        let digits = text.get(i..)?.iter().take(4).take_while(|b| b.is_ascii_digit()).count();
        if !(1..=3).contains(&digits) || !octet_of_quad(&text[i..i + digits], padded) {
            return None;
        }
        *octet = text[i..i + digits].iter().fold(0u8, |acc, &d| acc.wrapping_mul(10).wrapping_add(d - b'0'));
        i += digits;
    }
    Some((i, octets))
}

/// Whether the digits `octet` are a part of an IPv4 address whose parts are all `padded` to three digits
/// (`010.020.001.005`, as some devices write every address), or else one without a leading zero.
fn octet_of_quad(octet: &[u8], padded: bool) -> bool {
    if padded {
        octet.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0')) <= 255
    } else {
        valid_octet(octet)
    }
}

/// Whether the digits `octet` are a part of an IPv4 address: at most 255, without a leading zero.
/// True when the address `text[start..end]` is followed by a port as tcpdump and pf write one: `.` and one to
/// five digits or a service's name (`https`, `domain`, without `-nn`), then ` > ` (the source) or `:` (the
/// destination, after ` > `).
fn dotted_port_at(text: &[u8], start: usize, end: usize) -> bool {
    // (An address at the end of the text has no port.)
    let Some(port) = text.get(end + 1..) else { return false };
    let digits = port.iter().take(6).take_while(|b| b.is_ascii_digit()).count();
    let len = if digits > 0 {
        digits
    } else {
        port.iter().take(16).take_while(|&&b| b.is_ascii_lowercase() || b == b'-').count()
    };
    let after = &text[end + 1 + len..];
    (1..=15).contains(&len) && (after.starts_with(b" > ") || after.starts_with(b":") && text[..start].ends_with(b" > "))
}

fn valid_octet(octet: &[u8]) -> bool {
    let value = octet.iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
    value <= 255 && !(octet.len() > 1 && octet[0] == b'0')
}

/// The end (the closing quote) of the Redis `MONITOR` argument whose contents start at `from`; MONITOR escapes
/// quotes as `\"`.
fn redis_argument_end(text: &[u8], from: usize) -> Option<usize> {
    let mut j = from;
    while j < text.len() {
        match text[j] {
            b'\\' => j += 2,
            b'"' => return Some(j),
            _ => j += 1,
        }
    }
    None
}

/// The password of Redis `MONITOR`'s `"AUTH" "pass"` or `"AUTH" "user" "pass"`, whose first argument starts at
/// `at` (after its opening quote): the last argument, without its quotes. MONITOR escapes quotes as `\"`.
fn redis_auth(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let close = |from: usize| redis_argument_end(text, from);
    let first_end = close(at)?;
    match text.get(first_end + 1..first_end + 3) {
        Some(b" \"") => {
            let second_end = close(first_end + 3)?;
            (second_end > first_end + 3).then_some((first_end + 3, second_end))
        }
        _ => (first_end > at).then_some((at, first_end)),
    }
}

/// Calls `value(field, start, end)` for each field and value of Redis `MONITOR`'s `"HSET" "key" "field" "value"
/// …`, whose key starts at `at` (after its opening quote): the value's span is inside its quotes. MONITOR escapes
/// quotes as `\"`; a field with an escape is no key of the rules. At most 64 pairs.
fn redis_hash(text: &[u8], at: usize, mut value: impl FnMut(&[u8], usize, usize)) {
    let close = |from: usize| redis_argument_end(text, from);
    let next = |end: usize| (text.get(end + 1..end + 3) == Some(b" \"")).then_some(end + 3);
    let Some(mut from) = close(at).and_then(next) else { return };
    for _ in 0..64 {
        let Some(field_end) = close(from) else { return };
        let Some(value_start) = next(field_end) else { return };
        let Some(value_end) = close(value_start) else { return };
        if value_end > value_start {
            value(&text[from..field_end], value_start, value_end);
        }
        match next(value_end) {
            Some(after) => from = after,
            None => return,
        }
    }
}

/// Whether the delimiter at `at` is part of the bare value that starts at `from`: an `&` that no query string's
/// pair follows, or a `)` that closes a `(` of the value (`SECRET_KEY=django-insecure-7x!k2&t*y(u)i`).
#[cold]
#[inline(never)]
fn inside_a_word(text: &[u8], from: usize, at: usize) -> bool {
    match text[at] {
        b'&' => !pair_follows(text, at + 1),
        b')' => {
            let word = &text[from..at];
            word.iter().filter(|&&b| b == b'(').count() > word.iter().filter(|&&b| b == b')').count()
        }
        _ => false,
    }
}

/// Whether a query string's next pair starts at `at` (`state=xyz`, `a[b]=`, an HTML-escaped `amp;`), or
/// nothing does.
fn pair_follows(text: &[u8], at: usize) -> bool {
    let rest = &text[at.min(text.len())..];
    let key = rest.iter().take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-' | b'[' | b']'));
    let key_len = key.count();
    rest.is_empty() || rest.starts_with(b"amp;") || key_len > 0 && rest.get(key_len) == Some(&b'=')
}

/// True when the word that ends at `slash` (a `/`) starts right after another `/` or a `.`: a URL's path segment
/// or host, not a product's name (`Chrome/131.0.0.0`).
fn path_segment_before(text: &[u8], slash: usize) -> bool {
    let word = text[..slash].iter().rev().take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'));
    let start = slash - word.count();
    start > 0 && matches!(text[start - 1], b'/' | b'.')
}

/// Whether `Version=`, `version:` or `FileVersion: ` stands right before `at` (the address-shaped number that
/// starts there is a version: .NET's `Version=8.0.0.0`).
fn version_before(text: &[u8], at: usize) -> bool {
    let head = text[..at].strip_suffix(b" ").unwrap_or(&text[..at]);
    let Some(key) = head.strip_suffix(b"=").or_else(|| head.strip_suffix(b":")) else { return false };
    key.len() >= 7 && key[key.len() - 7..].eq_ignore_ascii_case(b"version")
}

fn skip_word(text: &[u8], mut i: usize) -> usize {
    while i < text.len() && (text[i].is_ascii_alphanumeric() || text[i] == b'_') {
        i += 1;
    }
    i
}

// ---- number tokens ------------------------------------------------------------------------------------------

/// A run of digit groups with single separators between them, such as `+1 (415) 555-2671` or `4111-1111-1111-1111`.
struct NumberToken {
    start: usize,
    end: usize,
    plus: bool,
    paren_first: bool,
    digits: [u8; 24],
    count: usize,
    group_lengths: [u8; 8],
    group_count: usize,
    separators: [u8; 8],
    paren_zero: bool,
}

impl NumberToken {
    fn read(text: &[u8], i: usize) -> NumberToken {
        let mut token = NumberToken {
            start: i,
            end: i,
            plus: false,
            paren_first: false,
            digits: [0; 24],
            count: 0,
            group_lengths: [0; 8],
            group_count: 0,
            separators: [0; 8],
            paren_zero: false,
        };
        // Look back for `+`, `(` or `+(`.
        if i > 0 && text[i - 1] == b'(' {
            token.start = i - 1;
            token.paren_first = true;
            if token.start > 0 && text[token.start - 1] == b'+' {
                token.start -= 1;
                token.plus = true;
            }
        } else if i > 0 && text[i - 1] == b'+' {
            token.start = i - 1;
            token.plus = true;
        }
        if token.start > 0 && (text[token.start - 1].is_ascii_alphanumeric()) {
            // `a+1`, `x(1`: not a number of its own; read it anyway, the caller rejects glued tokens.
            token.start = i;
            token.plus = false;
            token.paren_first = false;
        }
        let n = text.len();
        let mut j = i;
        let mut group_len = 0u8;
        loop {
            while j < n && text[j].is_ascii_digit() {
                if token.count < token.digits.len() {
                    token.digits[token.count] = text[j];
                }
                token.count += 1;
                group_len = group_len.saturating_add(1);
                j += 1;
            }
            if token.group_count < token.group_lengths.len() {
                token.group_lengths[token.group_count] = group_len;
            }
            token.group_count += 1;
            token.end = j;
            // A separator run: at most two bytes from ` -./()`, e.g. `) `, ` (`, `-`; then a digit must follow.
            let mut k = j;
            let mut separator = 0u8;
            while k < n && k < j + 2 && matches!(text[k], b' ' | b'-' | b'.' | b'/' | b'(' | b')') {
                if separator == 0 || text[k] != b' ' {
                    separator = text[k];
                }
                k += 1;
            }
            if k == j || k >= n || !text[k].is_ascii_digit() || token.count > 40 {
                // Close a trailing `)` that belongs to the number, as in `(415)`.
                break;
            }
            // Digits in parentheses glued to a word are a remark after the number, not a part of it (the length
            // of a voicemail: `+353 86 771 2290 (32s)`).
            if text[k - 1] == b'(' {
                let run = text[k..].iter().take_while(|b| b.is_ascii_digit()).count();
                if text.get(k + run).is_some_and(u8::is_ascii_alphabetic) {
                    break;
                }
            }
            // Four dotted groups end an address: `1.2.3.4 8.8.8.8` is two addresses, not one ten-digit number,
            // while `1.2.3.4.5` and `10.0.0.0/8` read on.
            if token.group_count == 4 && token.dotted_quad_so_far(i) && !matches!(&text[j..k], b"." | b"/") {
                break;
            }
            // An address after a space starts a token of its own: `port 443 10.0.0.5`, `2024-01-01 10.0.0.5`,
            // syslog's `10:00:00 10.0.0.5`, `(10.0.0.2 10.0.0.3)`, `10.0.0.0/8 10.0.0.9`.
            if (text[j] == b' ' || text[k - 1] == b' ') && dotted_quad_at(text, k).is_some() {
                break;
            }
            // `(0)` right after a `+CC` group: the trunk digit written in parentheses.
            if token.plus && text[j..k].contains(&b'(') && text.get(k + 1) == Some(&b')') && text[k] == b'0' {
                token.paren_zero = true;
            }
            if token.group_count <= token.separators.len() {
                token.separators[token.group_count - 1] = separator;
            }
            group_len = 0;
            j = k;
        }
        // An opening parenthesis that no `)` inside the number closes (`(4111111111111111)`, `(192.168.1.10)`)
        // is punctuation around it, not part of it.
        let used = &token.separators[..(token.group_count - 1).min(token.separators.len())];
        if token.paren_first && !token.plus && !used.contains(&b')') {
            token.start = i;
            token.paren_first = false;
        }
        token
    }

    fn digits(&self) -> &[u8] {
        &self.digits[..self.count.min(self.digits.len())]
    }

    /// Whether the four groups read so far from `i` are an IPv4 address: one to three digits each, joined by
    /// single dots, each at most 255 without a leading zero (`06.12.34.56 78` reads on, as a French phone).
    fn dotted_quad_so_far(&self, i: usize) -> bool {
        !self.plus
            && !self.paren_first
            && self.group_lengths[..4].iter().all(|&len| (1..=3).contains(&len))
            && self.end - i == self.group_lengths[..4].iter().map(|&len| usize::from(len)).sum::<usize>() + 3
            && self.separators[..3].iter().all(|&s| s == b'.')
            && self.valid_ipv4()
    }

    fn groups(&self) -> &[u8] {
        &self.group_lengths[..self.group_count.min(self.group_lengths.len())]
    }

    fn glued_right(&self, text: &[u8]) -> bool {
        text.get(self.end).is_some_and(|&b| b.is_ascii_alphabetic() && b != b'x' || b == b'_')
            && !text.get(self.end..self.end + 3).is_some_and(|w| w.eq_ignore_ascii_case(b"ext"))
    }

    fn same_separator(&self, allowed: &[u8]) -> bool {
        let used = &self.separators[..self.group_count.saturating_sub(1).min(self.separators.len())];
        used.first().is_some_and(|first| allowed.contains(first) && used.iter().all(|s| s == first))
    }

    /// Four groups of one to three digits joined by dots, with a `/prefix` after them (`10.0.0.0/8`), or Cisco
    /// ASA's `/port` (`198.51.100.164/4444`), or not.
    fn is_dotted_quad(&self) -> bool {
        let cidr = self.group_count == 5 && self.separators[3] == b'/' && (1..=5).contains(&self.group_lengths[4]);
        (self.group_count == 4 || cidr)
            && !self.plus
            && !self.paren_first
            && self.separators[..3].iter().all(|&s| s == b'.')
            && self.group_lengths[..4].iter().all(|&len| (1..=3).contains(&len))
    }

    fn valid_ipv4(&self) -> bool {
        let mut offset = 0;
        let padded = self.group_lengths[..4] == [3, 3, 3, 3];
        for &len in &self.group_lengths[..4] {
            let len = usize::from(len);
            if !octet_of_quad(&self.digits[offset..offset + len], padded) {
                return false;
            }
            offset += len;
        }
        true
    }

    fn looks_like_date(&self) -> bool {
        if self.group_count < 3 || self.plus || self.paren_first {
            return false;
        }
        let first_three = &self.group_lengths[..3];
        let separator = self.separators[0];
        let same = self.separators[1] == separator && matches!(separator, b'-' | b'/' | b'.');
        same && (first_three == [4, 2, 2]
            || first_three == [2, 2, 4]
            || first_three == [1, 2, 4]
            || first_three == [2, 1, 4]
            || first_three == [1, 1, 4])
    }

    /// Whether the year of a date (`looks_like_date`) is one a person alive now was born in, before this decade's
    /// log timestamps: 1900 to 2015.
    fn birth_year(&self) -> bool {
        let year_at =
            if self.group_lengths[0] == 4 { 0 } else { usize::from(self.group_lengths[0] + self.group_lengths[1]) };
        let year = self.digits[year_at..year_at + 4].iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'));
        (1900..=2015).contains(&year)
    }

    /// `2024 01 15`: a year, a month and a day separated by single spaces.
    fn looks_like_spaced_date(&self) -> bool {
        let value = |range: std::ops::Range<usize>| {
            self.digits[range].iter().fold(0u32, |acc, &d| acc * 10 + u32::from(d - b'0'))
        };
        self.group_count == 3
            && self.group_lengths[..3] == [4, 2, 2]
            && self.separators[..2] == [b' ', b' ']
            && (1900..=2099).contains(&value(0..4))
            && (1..=12).contains(&value(4..6))
            && (1..=31).contains(&value(6..8))
    }

    fn card_grouping(&self) -> bool {
        if self.plus || self.paren_first {
            return false;
        }
        let groups = self.groups();
        match groups {
            [_] => true,
            [4, 6, 5] | [4, 6, 4] => self.same_separator(b" -"),
            // A 13-digit Visa as it was printed.
            [4, 3, 3, 3] => self.same_separator(b" -"),
            // Fours joined by dots too (`5186.2695.1603.6627`), but not fewer than four groups (a version).
            many => {
                let (last, rest) = many.split_last().unwrap_or((&0, &[]));
                rest.iter().all(|&g| g == 4)
                    && (1..=5).contains(last)
                    && (self.same_separator(b" -") || many.len() >= 4 && self.same_separator(b"."))
            }
        }
    }

    fn phone_grouping(&self) -> bool {
        if self.group_count > 7 {
            return false;
        }
        let groups = self.groups();
        // `+91 9876543210`: a country code, then the national number unbroken.
        let unbroken_after_code = self.plus && groups.len() == 2 && groups[0] <= 3 && groups[1] <= 14;
        (groups.len() == 1 || unbroken_after_code || groups.iter().all(|&g| (1..=8).contains(&g)))
            && self.separators[..self.group_count.saturating_sub(1).min(self.separators.len())]
                .iter()
                .all(|&s| s != b'/')
    }

    fn has_paren_zero(&self) -> bool {
        self.paren_zero
    }
}

/// True when the word right before `start` (past spaces, `:` and `=`) names a quantity, a position or an amount's
/// currency (`USD 1234567`), or a currency sign stands right before it (`₹1234567`, `R$ 1234567`): the number
/// after it is a measure or an amount, not a phone.
fn quantity_before(text: &[u8], start: usize) -> bool {
    let before = &text[..start];
    let signed = before.strip_suffix(b" ").unwrap_or(before);
    // Every sign but `$` is written in bytes that are not ASCII.
    if signed.last().is_some_and(|&b| b == b'$' || b >= 0x80)
        && CURRENCY_SIGNS.iter().any(|sign| signed.ends_with(sign.as_bytes()))
    {
        return true;
    }
    let end = before.iter().rposition(|&b| !matches!(b, b' ' | b':' | b'=')).map_or(0, |p| p + 1);
    let word_start = before[..end].iter().rposition(|b| !b.is_ascii_alphabetic()).map_or(0, |p| p + 1);
    let word = &before[word_start..end];
    in_sorted(word, QUANTITY_WORDS) || names_a_currency(word)
}

/// True when `word`, in ASCII lowercase, is one of `words` (packed by `packed_words`).
#[inline]
fn in_sorted(word: &[u8], words: &[u64]) -> bool {
    if word.is_empty() || word.len() > 8 {
        return false;
    }
    let mut lower = [0u8; 8];
    for (to, from) in lower.iter_mut().zip(word) {
        *to = from.to_ascii_lowercase();
    }
    words.binary_search(&u64::from_be_bytes(lower)).is_ok()
}

/// Words of at most eight lowercase bytes, each packed big-endian into a number (zeros after it), for a binary
/// search that compares numbers, not slices; the list must be sorted.
const fn packed_words<const N: usize>(words: [&[u8]; N]) -> [u64; N] {
    let mut packed = [0u64; N];
    let mut i = 0;
    while i < N {
        let word = words[i];
        assert!(!word.is_empty() && word.len() <= 8, "a packed word has one to eight bytes");
        let mut value = 0u64;
        let mut j = 0;
        while j < 8 {
            let byte = if j < word.len() { word[j] } else { 0 };
            assert!(j >= word.len() || byte.is_ascii_lowercase(), "packed words are lowercase ASCII letters");
            value = value << 8 | byte as u64;
            j += 1;
        }
        assert!(i == 0 || packed[i - 1] < value, "packed words are sorted");
        packed[i] = value;
        i += 1;
    }
    packed
}

/// Words before a number that name what it measures or counts (sorted).
#[rustfmt::skip]
const QUANTITY_WORDS: &[u64] = &packed_words([
    b"amount", b"balance", b"build", b"bytes", b"count", b"duration", b"elapsed", b"epoch", b"latency", b"len",
    b"length", b"limit", b"offset", b"pid", b"port", b"price", b"seq", b"size", b"took", b"total", b"version",
]);

/// Currency signs, before an amount or after it.
const CURRENCY_SIGNS: &[&str] = &["$", "€", "£", "¥", "₹", "₽", "₩", "₫", "₺", "₪", "₴", "₦", "₱", "฿", "₸", "﷼"];

/// ISO 4217 codes of the currencies most written in logs and chats, in lowercase (sorted); they count written in
/// capitals only (`EUR`, `TRY`; not `try`, `pen` or the name `Won`).
#[rustfmt::skip]
const CURRENCY_CODES: &[u64] = &packed_words([
    b"aed", b"ars", b"aud", b"bdt", b"brl", b"cad", b"chf", b"clp", b"cny", b"cop", b"czk", b"dkk", b"egp", b"eur",
    b"gbp", b"ghs", b"hkd", b"huf", b"idr", b"ils", b"inr", b"irr", b"isk", b"jpy", b"kes", b"krw", b"kzt", b"mxn",
    b"myr", b"ngn", b"nok", b"nzd", b"pen", b"php", b"pkr", b"pln", b"qar", b"rmb", b"ron", b"rub", b"sar", b"sek",
    b"sgd", b"thb", b"try", b"twd", b"uah", b"usd", b"vnd", b"zar",
]);

/// Words for currencies that are no one's name nor another common word, in any case (sorted).
#[rustfmt::skip]
const CURRENCY_WORDS: &[u64] = &packed_words([
    b"baht", b"dinar", b"dirham", b"dollars", b"euro", b"euros", b"naira", b"pesos", b"reais", b"rial", b"riyal",
    b"rubles", b"rupees", b"shekels",
]);

/// True when `word` names a currency: an ISO 4217 code in capitals, a currency's word in any case, or Kenya's
/// `KSh` and India's `Rs` as written.
fn names_a_currency(word: &[u8]) -> bool {
    let iso = word.len() == 3 && word.iter().all(u8::is_ascii_uppercase) && in_sorted(word, CURRENCY_CODES);
    iso || in_sorted(word, CURRENCY_WORDS) || word == b"KSh" || word == b"Rs"
}

/// Units after a number, in ASCII (compared in any case; sorted).
#[rustfmt::skip]
const UNITS: &[u64] = &packed_words([
    b"b", b"bytes", b"events", b"gb", b"gib", b"items", b"kb", b"kib", b"mb", b"mib", b"ms", b"ns", b"records",
    b"requests", b"rows", b"s", b"sec", b"seconds", b"secs", b"times", b"us",
]);

/// Units and currencies after a number in other scripts (`1234567 мс`, `۵۰۰۰۰۰۰ ریال`, `1234567円`); the currency
/// signs after a number are `CURRENCY_SIGNS`' (but `$`, which is ASCII).
#[rustfmt::skip]
const UNITS_NOT_ASCII: &[&str] = &[
    "мс", "мсек", "сек", "байт", "руб", "рублей", "грн", "zł", "kč", "ریال", "ريال", "تومان", "درهم", "جنيه", "روپیه",
    "रुपये", "रु", "টাকা", "元", "円", "원", "บาท", "đồng", "đ",
];

/// True when a unit or a currency follows the number that ends at `end` (`1234567 ns`, `1234567ms`,
/// `1234567 bytes`, `1234567 EUR`, `1234567 мс`, `5000000 ریال`).
fn unit_after(text: &[u8], end: usize) -> bool {
    let rest = &text[end..];
    let rest = rest.strip_prefix(b" ").unwrap_or(rest);
    let len = rest.iter().take(10).take_while(|b| b.is_ascii_alphabetic()).count();
    let next = rest.get(len).copied();
    if len > 0 && next.is_none_or(|b| b < 0x80) {
        let word = &rest[..len];
        // A currency that an amount follows is that amount's (`98765 43210 Rs 500`), not this number's.
        let amount_after = || {
            let after = &rest[len..];
            after.strip_prefix(b" ").unwrap_or(after).first().is_some_and(u8::is_ascii_digit)
        };
        return !next.is_some_and(|b| b.is_ascii_alphabetic())
            && (in_sorted(word, UNITS) || names_a_currency(word) && !amount_after());
    }
    next.is_some_and(|b| b >= 0x80)
        && UNITS_NOT_ASCII.iter().chain(CURRENCY_SIGNS).any(|unit| {
            // A unit of a script written with spaces stands whole (`мс`, not `мсье`); a sign or a character of
            // Chinese or Japanese may have more after it (`1234567円の`).
            rest.starts_with(unit.as_bytes())
                && unit.chars().last().is_some_and(|last| {
                    !last.is_alphabetic()
                        || super::context::written_without_spaces(last)
                        || !super::context::char_at(rest, unit.len()).is_some_and(|(next, _)| next.is_alphabetic())
                })
        })
}

fn nanp_shape(groups: &[u8], paren_first: bool) -> bool {
    matches!(groups, [3, 3, 4] | [1, 3, 3, 4]) || (paren_first && groups == [3, 7])
}

fn extension_end(text: &[u8], end: usize) -> usize {
    let rest = &text[end..];
    let skip = if rest.starts_with(b" x") || rest.starts_with(b" X") {
        2
    } else if rest.starts_with(b"x") || rest.starts_with(b"X") {
        1
    } else if rest.len() >= 4 && rest[..3].eq_ignore_ascii_case(b"ext") {
        let mut k = 3;
        if rest.get(k) == Some(&b'.') {
            k += 1;
        }
        if rest.get(k) == Some(&b' ') {
            k += 1;
        }
        k
    } else {
        return end;
    };
    let digits = rest[skip..].iter().take_while(|b| b.is_ascii_digit()).count();
    let glued = rest.get(skip + digits).is_some_and(|b| b.is_ascii_alphanumeric());
    if (1..=6).contains(&digits) && !glued {
        end + skip + digits
    } else {
        end
    }
}

/// True when nine digits are a valid US SSN or ITIN (see `validate::ssn_valid` and `validate::itin_valid`).
fn ssn_digits_valid(digits: &[u8]) -> bool {
    let number =
        |range: std::ops::Range<usize>| digits[range].iter().fold(0u16, |acc, &d| acc * 10 + u16::from(d - b'0'));
    let (area, group, serial) = (number(0..3), number(3..5), number(5..9));
    validate::ssn_valid(area, group, serial) || validate::itin_valid(area, group, serial)
}

// ---- IBAN ----------------------------------------------------------------------------------------------------

/// The end of a valid IBAN starting at `start` (two letters, two digits, then groups, compact or by fours).
fn iban_at(text: &[u8], start: usize) -> Option<usize> {
    let mut compact = [0u8; 40];
    let mut len = 0;
    let mut j = start;
    // Groups of four are separated by spaces or by dashes (`DE89-3704-…`), the same all along; once separated,
    // no group is longer than four (the hex groups of a UUID are not an IBAN).
    let mut separator = None;
    let mut group = 0;
    while j < text.len() && len < 34 {
        let byte = text[j];
        if byte.is_ascii_alphanumeric() && !(separator.is_some() && group == 4) {
            compact[len] = byte.to_ascii_uppercase();
            len += 1;
            group += 1;
            j += 1;
        } else if matches!(byte, b' ' | b'-')
            && *separator.get_or_insert(byte) == byte
            && len >= 4
            && len % 4 == 0
            && text.get(j + 1).is_some_and(u8::is_ascii_alphanumeric)
        {
            group = 0;
            j += 1;
        } else {
            break;
        }
    }
    let country = [compact[0], compact[1]];
    let expected = usize::from(validate::iban_length(country)?);
    if len < expected {
        return None;
    }
    // The text may run on into the next word when groups are separated by spaces; cut at the expected length.
    let mut seen = 0;
    let mut cut = start;
    while seen < expected {
        if text[cut].is_ascii_alphanumeric() {
            seen += 1;
        }
        cut += 1;
    }
    // Compact and glued to more letters or digits: not an IBAN of its own.
    if cut < text.len() && text[cut].is_ascii_alphanumeric() {
        return None;
    }
    // Where the registry's account number is all digits, a letter says it is no IBAN: a hex id
    // (`be19aca45906a728`, a span id) has the length of a Belgian one and, one time in 97, valid check digits.
    if validate::iban_bban_numeric(country) && !compact[4..expected].iter().all(u8::is_ascii_digit) {
        return None;
    }
    validate::iban_valid(&compact[..expected]).then_some(cut)
}

// ---- emails ---------------------------------------------------------------------------------------------------

/// A byte of the local part of an address: ASCII letters, digits and `._%+-'`.
fn is_local_byte(byte: u8) -> bool {
    byte.is_ascii_alphanumeric() || matches!(byte, b'.' | b'_' | b'%' | b'+' | b'-' | b'\'')
}

/// The length of the letter or digit that is not ASCII ending at `text[..end]` (`ö`, `张`: RFC 6531 allows them
/// in addresses, and a detector that stopped there would leave most of the name), if one does. Punctuation that
/// is not ASCII (`“`, `»`) is not part of an address.
fn wide_letter_before(text: &[u8], end: usize) -> Option<usize> {
    let len = text[end.saturating_sub(4)..end].iter().rev().position(|&b| b & 0xC0 != 0x80)? + 1;
    let decoded = std::str::from_utf8(&text[end - len..end]).ok()?.chars().next()?;
    wide_letter(decoded).then_some(len)
}

/// A letter or digit that is not ASCII, or the replacement character that a byte of a Latin-1 name (`j\xF6rg`)
/// became when the line was repaired.
fn wide_letter(decoded: char) -> bool {
    !decoded.is_ascii() && (decoded.is_alphanumeric() || decoded == char::REPLACEMENT_CHARACTER)
}

/// The length of the letter or digit that is not ASCII starting at `text[at..]`, if one does.
fn wide_letter_at(text: &[u8], at: usize) -> Option<usize> {
    let len = match text.get(at)? {
        0xC0..=0xDF => 2,
        0xE0..=0xEF => 3,
        0xF0..=0xF7 => 4,
        _ => return None,
    };
    let decoded = std::str::from_utf8(text.get(at..at + len)?).ok()?.chars().next()?;
    wide_letter(decoded).then_some(len)
}

/// True when the address `text[start..end]` (its `@` at `at`) names a service, not a mailbox: git hosting's SSH
/// login (`git@github.com:org/repo.git`), a RabbitMQ node (`rabbit@rabbitmq-0.rabbitmq-headless`), a Kerberos
/// service's principal in its realm (`HTTP/web01.corp.example.com@CORP.EXAMPLE.COM`).
fn names_a_service(text: &[u8], start: usize, at: usize, end: usize) -> bool {
    let local = &text[start..at];
    // git's login before a repository's path, or at a git host (`git@github.com:org/repo.git`).
    let git = local == b"git"
        && (text.get(end) == Some(&b':')
            || [&b"github.com"[..], b"gitlab.com", b"bitbucket.org"].contains(&&text[at + 1..end]));
    git || local == b"rabbit" || kerberos_service(text, start, at, end)
}

/// True for a Kerberos service's principal: a service's name, `/`, a host's name or an instance, `@` and a realm
/// in capitals (`HTTP/web01.corp.example.com@CORP.EXAMPLE.COM`, `kadmin/admin@CORP.EXAMPLE.COM`; not a person's
/// `jdoe/admin@…`, nor `/api/users/JANE.DOE@EXAMPLE.COM`).
fn kerberos_service(text: &[u8], start: usize, at: usize, end: usize) -> bool {
    const SERVICES: &[&[u8]] = &[
        b"HTTP",
        b"HTTPS",
        b"host",
        b"HOST",
        b"ldap",
        b"LDAP",
        b"cifs",
        b"CIFS",
        b"nfs",
        b"imap",
        b"smtp",
        b"postgres",
        b"MSSQLSvc",
        b"krbtgt",
        b"kafka",
        b"hbase",
        b"hdfs",
        b"yarn",
        b"hive",
        b"zookeeper",
        b"DNS",
        b"RestrictedKrbHost",
        b"WSMAN",
        b"TERMSRV",
        b"kadmin",
        b"kiprop",
    ];
    let Some(slash) = start.checked_sub(1).filter(|&slash| text[slash] == b'/') else { return false };
    let service_start = text[..slash].iter().rposition(|b| !b.is_ascii_alphanumeric()).map_or(0, |p| p + 1);
    SERVICES.contains(&&text[service_start..slash]) && text[at + 1..end].iter().all(|b| !b.is_ascii_lowercase())
}

/// The start of a quoted local part whose closing quote ends at `at` (`"siobhan o'brien"@shamrock-mail.ie`): at
/// most 64 printable bytes, after a byte that ends a word.
fn quoted_local_start(text: &[u8], at: usize) -> Option<usize> {
    let close = at.checked_sub(1).filter(|&close| text[close] == b'"')?;
    let open = text[close.saturating_sub(65)..close].iter().rposition(|&b| b == b'"')? + close.saturating_sub(65);
    let inside = &text[open + 1..close];
    let printable = !inside.is_empty() && inside.iter().all(|&b| b >= b' ' && !matches!(b, b'\\' | b'<' | b'>' | b'@'));
    let free = open == 0 || matches!(text[open - 1], b' ' | b'<' | b'=' | b':' | b'(' | b',' | b'\t');
    (printable && free).then_some(open)
}

/// The start of the unquoted local part of an address whose `@` (or `%40`, `width` 3) is at `at`.
fn local_start(text: &[u8], at: usize, width: usize) -> Option<usize> {
    let mut start = at;
    while start > 0 && at - start < 64 {
        if is_local_byte(text[start - 1]) {
            start -= 1;
        } else if let Some(len) = wide_letter_before(text, start) {
            start -= len;
        } else {
            break;
        }
    }
    while start < at && matches!(text[start], b'.' | b'\'' | b'%' | b'+' | b'-') {
        start += 1;
    }
    // `%40` encodings: do not swallow a preceding `%xx` escape such as `%20` or `%3D` into the local part.
    if width == 3 {
        if let Some(p) = text[start..at].iter().rposition(|&b| b == b'%') {
            start += p + 3;
        }
    }
    (start < at).then_some(start)
}

/// The email address around the `@` (or `%40`, `width` 3) at `at`.
fn email_around(text: &[u8], at: usize, width: usize) -> Option<(usize, usize)> {
    // `jane@@example.com`: a doubled `@` as a form quotes what was typed.
    let width =
        if width == 1 && text.get(at + 1) == Some(&b'@') && at > 0 && is_local_byte(text[at - 1]) { 2 } else { width };
    let start = match quoted_local_start(text, at) {
        Some(open) => open,
        None => local_start(text, at, width)?,
    };
    let domain_start = at + width;
    let mut end = domain_start;
    while end < text.len() && end - domain_start < 255 {
        if text[end].is_ascii_alphanumeric() || matches!(text[end], b'.' | b'-') {
            end += 1;
        } else if let Some(len) = wide_letter_at(text, end) {
            end += len;
        } else {
            break;
        }
    }
    loop {
        while end > domain_start && matches!(text[end - 1], b'.' | b'-') {
            end -= 1;
        }
        let domain = &text[domain_start..end];
        if domain_ok(domain) {
            return Some((start, end));
        }
        // `jane@example.com-4111…`, `jane@example.com-retry`: a dash after the domain joins the next word to it;
        // the address is the domain before the dash.
        match domain.iter().rposition(|&b| b == b'-') {
            Some(dash) if domain[..dash].contains(&b'.') => end = domain_start + dash,
            _ => {
                // Only where the text says it is an address (`contact email "…" has invalid domain`): the
                // shape is tested first, the words before it only for an address of that shape.
                let said = || text[start.saturating_sub(48)..start].windows(4).any(|w| w.eq_ignore_ascii_case(b"mail"));
                return (personal_at_bare_host(&text[start..at], domain, text.get(end)) && said())
                    .then_some((start, end));
            }
        }
    }
}

/// True for an address whose domain lost its top-level domain, as a validation error quotes what a person typed
/// (`anders.berg@icloud`, `contact email "kenji.watanabe@acme" has invalid domain`): a first and a last name in
/// small letters joined by a dot, then a host of letters that is not hex (`com.acme.Order@6d06d69c` is an object
/// and its hash) and ends the word. `postgres@db01`, `git@host` and `deploy@prod` have no dot before the `@`.
fn personal_at_bare_host(local: &[u8], domain: &[u8], after: Option<&u8>) -> bool {
    let halves = local.iter().filter(|&&b| b == b'.').count() == 1
        && local.split(|&b| b == b'.').all(|half| half.len() >= 2 && half.iter().all(u8::is_ascii_lowercase));
    // A package's tag or a deployment's stage (`npm install lodash.merge@latest`, `acme.api@prod`) is no host.
    const TAGS: &[&[u8]] = &[
        b"latest",
        b"next",
        b"beta",
        b"alpha",
        b"canary",
        b"stable",
        b"prod",
        b"production",
        b"staging",
        b"stage",
        b"dev",
        b"develop",
        b"main",
        b"master",
        b"head",
        b"edge",
        b"nightly",
        b"lts",
        b"local",
        b"localhost",
        b"test",
    ];
    halves
        && (3..=24).contains(&domain.len())
        && domain.iter().all(u8::is_ascii_lowercase)
        && domain.iter().any(|&b| b > b'f')
        && !TAGS.contains(&domain)
        && !after.is_some_and(|&b| b.is_ascii_alphanumeric() || matches!(b, b'@' | b'_'))
}

/// The last parts of names with an `@` that are no top-level domain: systemd's unit types (`getty@tty1.service`,
/// `postgresql@16-main.service`) and the host of Rails's Message-IDs (`65f31a9b_1a2b@web-7f9c4d.mail`). (Not
/// `.local` or `.internal`: a company's directory gives its people addresses there.)
const NOT_TOP_LEVEL: &[&[u8]] = &[
    b"service",
    b"socket",
    b"timer",
    b"mount",
    b"automount",
    b"slice",
    b"scope",
    b"swap",
    b"path",
    b"device",
    b"mail",
];

/// True when `domain` is a domain name an address can have: labels that neither start nor end with `-`, the last
/// one a top-level domain of letters (not one of `NOT_TOP_LEVEL`).
fn domain_ok(domain: &[u8]) -> bool {
    let Some(last_dot) = domain.iter().rposition(|&b| b == b'.') else { return false };
    let tld = &domain[last_dot + 1..];
    let tld_ok = (tld.len() >= 2 && tld.len() <= 63 && tld.iter().all(|&b| b.is_ascii_alphabetic() || b >= 0x80))
        // `.中国`, `.рф`: a top-level domain in another script.
        || (tld.starts_with(b"xn--") && tld.len() > 4);
    tld_ok
        && !NOT_TOP_LEVEL.iter().any(|suffix| tld.eq_ignore_ascii_case(suffix))
        && domain
            .split(|&b| b == b'.')
            .all(|label| !label.is_empty() && label[0] != b'-' && label[label.len() - 1] != b'-')
}

/// The `user:password` (or `user`) part of a URL whose first `@` after its scheme is at `at`. A user that is
/// itself an address (`smtp://noreply%40example.de:pw@smtp.example.de`, read decoded) ends at the authority's
/// last `@`, so the password goes with it.
fn url_userinfo(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let window_start = at.saturating_sub(256);
    let before = &text[window_start..at];
    let scheme_end = before.windows(3).rposition(|w| w == b"://")? + window_start + 3;
    let userinfo = &text[scheme_end..at];
    let ends_authority =
        |b: &u8| matches!(b, b'/' | b'?' | b'#' | b' ' | b'"' | b'\'' | b'<' | b'>') || b.is_ascii_whitespace();
    if userinfo.is_empty() || userinfo.iter().any(|b| ends_authority(b) || *b == b'@') || holds_no_secret(userinfo) {
        return None;
    }
    let authority = &text[at + 1..];
    let authority = &authority[..authority.iter().position(ends_authority).unwrap_or(authority.len())];
    let last = memchr::memrchr(b'@', authority).map_or(at, |p| at + 1 + p);
    Some((scheme_end, last))
}

/// True for a URL's user part that holds no secret: git hosting's SSH login (`ssh://git@bitbucket.org`), no user
/// and no password (`redis://:@cache`), or a password masked (`app:****`) or a template's
/// (`{{username}}:{{password}}`, `${DB_PASSWORD}`).
fn holds_no_secret(userinfo: &[u8]) -> bool {
    let Some(colon) = memchr::memchr(b':', userinfo) else { return userinfo == b"git" };
    let password = &userinfo[colon + 1..];
    let template = |open: &[u8], close: &[u8]| password.starts_with(open) && password.ends_with(close);
    // (With the password empty, the user may be the secret: an API key as the user, `https://KEY:@api…`.)
    userinfo == b":"
        || !password.is_empty() && password.iter().all(|&b| b == b'*')
        || template(b"{{", b"}}")
        || template(b"${", b"}")
        || template(b"<", b">")
}

fn jwt_end(text: &[u8], start: usize) -> Option<usize> {
    let is_b64url = |b: &u8| b.is_ascii_alphanumeric() || *b == b'-' || *b == b'_';
    let mut j = start;
    for (part, min) in [(0, 10), (1, 2), (2, 0)] {
        let len = text[j..].iter().take_while(|b| is_b64url(b)).count();
        if len < min {
            return None;
        }
        j += len;
        if part < 2 {
            if text.get(j) != Some(&b'.') {
                return None;
            }
            j += 1;
        }
    }
    if text.get(j).is_some_and(|b| b.is_ascii_alphanumeric()) {
        return None;
    }
    Some(j)
}

/// True for an address that names no one's machine: loopback (`127.0.0.1`, `::1`), unspecified (`0.0.0.0`, `::`)
/// and the IPv4 broadcast address, as servers log them when they start (`listening on 0.0.0.0:8080`), a netmask,
/// a multicast group, and an address whose last three parts are zero: a network's (`10.0.0.0`), and the version
/// Chrome's reduced user agent gives (`"browser_version":"131.0.0.0"`).
fn names_no_host(address: std::net::IpAddr) -> bool {
    match address {
        // A netmask (`255.255.255.0`) starts with 255; a multicast group (`239.255.255.250`, `ff02::fb`) is no host.
        std::net::IpAddr::V4(v4) => {
            v4.is_loopback()
                || v4.is_unspecified()
                || v4.is_multicast()
                || v4.octets()[0] == 255
                || v4.octets()[1..] == [0, 0, 0]
        }
        std::net::IpAddr::V6(v6) => v6.is_loopback() || v6.is_unspecified() || v6.is_multicast(),
    }
}

/// A MAC address written with dashes (`00-1A-2B-3C-4D-5E`) that contains the digit at `i`.
fn mac_dashed_around(text: &[u8], i: usize) -> Option<(usize, usize)> {
    // The MAC's dashes stand three apart, so a dash next to `i` has another three bytes before or after it.
    let dash = |at: usize| text.get(at) == Some(&b'-');
    let plausible = [i.wrapping_sub(1), i + 1, i + 2]
        .into_iter()
        .any(|d| dash(d) && (dash(d + 3) || d.checked_sub(3).is_some_and(dash)));
    if !plausible {
        return None;
    }
    // An EUI-48, or an EUI-64 (`70-B3-D5-7E-D0-05-A1-B3`, a LoRaWAN device's).
    for start in i.saturating_sub(22)..=i {
        let shaped = |end: usize| {
            text.get(start..end).is_some_and(|candidate| {
                candidate.chunks(3).all(|chunk| {
                    chunk[0].is_ascii_hexdigit()
                        && chunk[1].is_ascii_hexdigit()
                        && (chunk.len() == 2 || chunk[2] == b'-')
                })
            })
        };
        let free = |b: u8| !b.is_ascii_alphanumeric() && b != b'-' && b != b'_';
        if start > 0 && !free(text[start - 1]) {
            continue;
        }
        // (An EUI-64 with a hex letter: eight groups of two digits are as often a date and a time.)
        let lettered = |end: usize| text[start..end].iter().any(u8::is_ascii_alphabetic);
        for end in [start + 17, start + 23] {
            let eui48 = end == start + 17;
            if end > i && shaped(end) && text.get(end).is_none_or(|&b| free(b)) && (eui48 || lettered(end)) {
                return Some((start, end));
            }
        }
    }
    None
}

/// The end of a MAC in Cisco's notation that starts at `start` (`000c.29ab.cdf4`: three groups of four hex digits
/// joined by dots, standing alone), when there is one. One hex letter at least: twelve digits and two dots are more
/// often a version or a build (`2024.0312.1022`) than a MAC (a MAC has no letter one time in three hundred).
fn mac_dotted_at(text: &[u8], start: usize) -> Option<usize> {
    let end = start.checked_add(14)?;
    let candidate = text.get(start..end)?;
    // Most dots five apart are a dotted name's (`com.acme.core`): turned away by the dots and the first byte.
    if candidate[4] != b'.' || candidate[9] != b'.' || !candidate[0].is_ascii_hexdigit() {
        return None;
    }
    let shaped = candidate
        .chunks(5)
        .all(|chunk| chunk[..4].iter().all(u8::is_ascii_hexdigit) && (chunk.len() == 4 || chunk[4] == b'.'));
    let lettered = candidate.iter().any(u8::is_ascii_alphabetic);
    let free = |b: &u8| !b.is_ascii_alphanumeric() && !matches!(b, b'-' | b'_' | b':');
    // A full stop may end it; another dotted part may not (`000c.29ab.cdf4.example`).
    let after = match text.get(end) {
        Some(b'.') => text.get(end + 1).is_none_or(|b| !b.is_ascii_alphanumeric()),
        next => next.is_none_or(free),
    };
    let before = start == 0 || free(&text[start - 1]) && text[start - 1] != b'.';
    (shaped && lettered && before && after).then_some(end)
}

fn is_mac(token: &[u8]) -> bool {
    // An EUI-48 or EUI-64, or an EUI-48 with the leading zeros of its octets dropped as macOS's `arp` and net-snmp
    // write it (`0:1e:c2:7:4b:9`): six parts of one or two hex digits, three of two at least and a hex letter
    // (a count of six small numbers is no address).
    let short = || {
        let parts = token.split(|&b| b == b':');
        let (mut count, mut pairs) = (0, 0);
        for part in parts {
            if !(1..=2).contains(&part.len()) || !part.iter().all(u8::is_ascii_hexdigit) {
                return false;
            }
            count += 1;
            pairs += usize::from(part.len() == 2);
        }
        count == 6 && pairs >= 3 && token.iter().any(|b| b.is_ascii_alphabetic())
    };
    matches!(token.len(), 17 | 23) && colon_hex_pairs(token) || (11..17).contains(&token.len()) && short()
}

/// The end of a password hash in the modular crypt format that starts at the `$` at `at`: bcrypt's
/// `$2b$12$` and 53 characters, and the `$id$…$…` of SHA-crypt (`$5$`, `$6$`), MD5-crypt (`$1$`), yescrypt
/// (`$y$`, `$gy$`, `$7$`), Argon2 (`$argon2id$v=19$m=65536,t=3,p=4$salt$hash`), scrypt and PBKDF2 (Passlib,
/// Django): whoever has one can try passwords against it offline. The hash runs to the first byte that no field
/// holds and has at least two more fields after its id; it is not glued to a word on the left.
fn crypt_hash_at(text: &[u8], at: usize) -> Option<usize> {
    const IDS: [&[u8]; 17] = [
        b"1",
        b"apr1",
        b"2a",
        b"2b",
        b"2x",
        b"2y",
        b"5",
        b"6",
        b"7",
        b"y",
        b"gy",
        b"argon2i",
        b"argon2d",
        b"argon2id",
        b"scrypt",
        b"pbkdf2-sha256",
        b"pbkdf2-sha512",
    ];
    if at > 0 && (text[at - 1].is_ascii_alphanumeric() || text[at - 1] == b'$') {
        return None;
    }
    let rest = &text[at + 1..];
    let id_len = memchr::memchr(b'$', &rest[..rest.len().min(14)])?;
    if !IDS.contains(&&rest[..id_len]) {
        return None;
    }
    let body = &rest[id_len + 1..];
    let start = at + 1 + id_len + 1;
    if rest[0] == b'2' {
        // bcrypt: a two-digit cost, `$`, and 53 characters of salt and hash in its own base64.
        let base64 = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/');
        let cost = body.len() > 3 && body[..2].iter().all(u8::is_ascii_digit) && body[2] == b'$';
        let hash = body.get(3..).map_or(0, |hash| hash.iter().take_while(|b| base64(b)).take(54).count());
        return (cost && hash == 53).then_some(start + 56);
    }
    let field_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'+' | b'=' | b',' | b'-' | b'$');
    let mut length = body.iter().take_while(|b| field_byte(b)).count();
    // A comma or a full stop after the hash ends a list or a sentence.
    while length > 0 && matches!(body[length - 1], b',' | b'.') {
        length -= 1;
    }
    let fields = body[..length].split(|&b| b == b'$').filter(|field| !field.is_empty()).count();
    (fields >= 2 && length >= 16).then_some(start + length)
}

/// True when `after`, the text after a key, is `=` and a value that reads as an OAuth authorization code:
/// sixteen token bytes or more, with letters and digits.
fn reads_as_a_code(after: &[u8]) -> bool {
    let Some(value) = after.strip_prefix(b"=") else { return false };
    let value = &value[..value.iter().take_while(|&&b| is_token_byte(b)).count()];
    value.len() >= 16 && value.iter().any(u8::is_ascii_digit) && value.iter().any(u8::is_ascii_alphabetic)
}

/// The end of a Telegram bot token that starts at the digit `i`: eight to ten digits, `:AA`, and 32 to 35 bytes
/// of base64url, which no letter or digit follows.
fn telegram_token_at(text: &[u8], i: usize) -> Option<usize> {
    // Most numbers have no `:` eight to ten bytes on: three compares turn them away.
    let run = (8..=10).find(|&run| text.get(i + run) == Some(&b':'))?;
    if text.get(i + run + 1..i + run + 3) != Some(b"AA") || !text[i..i + run].iter().all(u8::is_ascii_digit) {
        return None;
    }
    let body_start = i + run + 3;
    let body = text[body_start..]
        .iter()
        .take(36)
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
        .count();
    ((30..=35).contains(&body)).then_some(body_start + body)
}

/// A password hash as Django stores it, whose first `$` is at `at`: the hasher's name, then `$`-joined fields
/// (`pbkdf2_sha256$870000$salt$hash=`, `argon2$argon2id$v=19$…`, `bcrypt_sha256$$2b$12$…`). Its start and end.
fn django_hash_at(text: &[u8], at: usize) -> Option<(usize, usize)> {
    const HASHERS: [&[u8]; 6] = [b"pbkdf2_sha256", b"pbkdf2_sha1", b"argon2", b"bcrypt_sha256", b"bcrypt", b"scrypt"];
    let hasher = HASHERS.iter().find(|hasher| text[..at].ends_with(hasher))?;
    let start = at - hasher.len();
    if start > 0 && (text[start - 1].is_ascii_alphanumeric() || text[start - 1] == b'_') {
        return None;
    }
    let field_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'/' | b'+' | b'=' | b',' | b'-' | b'$');
    let length = text[at..].iter().take_while(|b| field_byte(b)).count();
    let body = &text[at..at + length];
    let fields = body.split(|&b| b == b'$').filter(|field| !field.is_empty()).count();
    (fields >= 2 && length >= 20).then_some((start, at + length))
}

/// True when the address that starts at `start` is the Message-ID of a mail, as Postfix and mail headers write
/// it: `message-id=<…>`, `Message-ID: <…>`, in any case.
fn is_message_id(text: &[u8], start: usize) -> bool {
    // An iCalendar event's `UID:` (`UID:7kq2lm9rt8@google.com`), a line of its own.
    if text[..start].ends_with(b"UID:") && (start == 4 || text[start - 5] == b'\n') {
        return true;
    }
    // The `<` that opens the id, before the address's local part (`<CAF=x1@mail.gmail.com>`).
    let Some(open) = text[..start].iter().rposition(|&b| matches!(b, b'<' | b' ' | b'>')) else { return false };
    if text[open] != b'<' {
        return false;
    }
    // `References: <a@x> <b@y>`: past the ids before it, to the header (the one header that lists ids).
    let mut before = text[..open].trim_ascii_end();
    let mut listed = false;
    for _ in 0..32 {
        match before.last() {
            Some(b'>') => match before.iter().rposition(|&b| b == b'<') {
                Some(opening) => {
                    before = text[..opening].trim_ascii_end();
                    listed = true;
                }
                None => return false,
            },
            _ => break,
        }
    }
    let Some(before) = before.strip_suffix(b"=").or_else(|| before.strip_suffix(b":")) else { return false };
    const HEADERS: &[&[u8]] =
        &[b"message-id", b"message_id", b"msgid", b"in-reply-to", b"references", b"content-id", b"smtp-id"];
    HEADERS.iter().any(|&header| {
        let Some(name_start) = before.len().checked_sub(header.len()) else { return false };
        let alone = name_start == 0 || matches!(before[name_start - 1], b' ' | b'\t' | b'\n' | b'"' | b',' | b';');
        alone && before[name_start..].eq_ignore_ascii_case(header) && (!listed || header == b"references")
    })
}

/// The user part of a SIP or tel URI whose `@` is at `at` when it is a phone number: seven to fifteen digits,
/// with an optional `+` (`sip:4155550137@203.0.113.121`, `sips:+447700900123@carrier.example`).
fn sip_number(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let start = number_before(text, at)?;
    let scheme = |name: &[u8]| {
        text[..start].ends_with(name) && !text[..start - name.len()].last().is_some_and(u8::is_ascii_alphanumeric)
    };
    (scheme(b"sip:") || scheme(b"sips:") || scheme(b"tel:")).then_some((start, at))
}

/// The start of the phone-like number that ends at `end`: seven to fifteen digits, with an optional `+`.
fn number_before(text: &[u8], end: usize) -> Option<usize> {
    let digits = text[..end].iter().rev().take_while(|b| b.is_ascii_digit()).take(16).count();
    let start = end - digits;
    let plus = start > 0 && text[start - 1] == b'+';
    (7..=15).contains(&digits).then_some(start - usize::from(plus))
}

/// The display name before a SIP URI whose user part starts at `user` (after its `sip:`), when it is a quoted
/// number: `"4155550137" <sip:…`.
fn sip_display_number(text: &[u8], user: usize) -> Option<(usize, usize)> {
    let before = text[..user].strip_suffix(b":")?;
    let before = &before[..before.len() - before.iter().rev().take_while(|b| b.is_ascii_alphabetic()).count()];
    let before = before.strip_suffix(b"<")?;
    let before = before.strip_suffix(b" ").unwrap_or(before).strip_suffix(b"\"")?;
    let start = number_before(before, before.len())?;
    (start > 0 && before[start - 1] == b'"').then_some((start, before.len()))
}

/// True for a DHCP client identifier or DUID that holds a MAC: seven octets after `01:`, fourteen after
/// `00:01:00:01:` or ten after `00:03:00:01:`, written as hex pairs with colons.
fn client_id_of_a_mac(token: &[u8]) -> bool {
    let octets = (token.len() + 1) / 3;
    let shaped = match octets {
        7 => token.starts_with(b"01:"),
        10 => token.starts_with(b"00:03:00:01:"),
        14 => token.starts_with(b"00:01:00:01:"),
        _ => false,
    };
    shaped && colon_hex_pairs(token)
}

/// Pairs of hex digits joined by single colons (`00:1a:2b`).
fn colon_hex_pairs(token: &[u8]) -> bool {
    token.len() % 3 == 2
        && token.chunks(3).all(|chunk| {
            chunk[0].is_ascii_hexdigit() && chunk[1].is_ascii_hexdigit() && (chunk.len() == 2 || chunk[2] == b':')
        })
}

// ---- key/value helpers --------------------------------------------------------------------------------------

/// The start of the run of key bytes (ASCII letters, digits, `_`, `-`, `.`) and letters of any script that ends
/// at `end`, at most 64 bytes long.
fn letters_and_key_bytes_before(text: &[u8], end: usize) -> usize {
    let floor = end.saturating_sub(64);
    let mut start = end;
    while start > floor {
        let byte = text[start - 1];
        if byte < 0x80 {
            if !(byte.is_ascii_alphanumeric() || matches!(byte, b'_' | b'-' | b'.')) {
                break;
            }
            start -= 1;
            continue;
        }
        let Some(letter) = super::context::char_before(text, start).filter(|ch| ch.is_alphabetic()) else { break };
        start -= letter.len_utf8();
    }
    start
}

/// The key right before the separator at `at`: `key=`, `key:`, `"key":`, `'key' =`.
fn key_before(text: &[u8], anchors: &View<'_>, at: usize) -> Option<(usize, usize)> {
    let mut end = at;
    while end > 0 && text[end - 1] == b' ' {
        end -= 1;
    }
    // `"key":`, `'key' =`, PostgreSQL's `Key (ssn)=(…)` and a form field `user[password]=`: the key between its
    // quotes, parentheses or brackets.
    let quoted = end > 0 && matches!(text[end - 1], b'"' | b'\'' | b')' | b']');
    if quoted {
        end -= 1;
    }
    // JSON escaped inside a string (`payload="{\"password\":\"hunter2\"}"`, or a JSON value escaped twice):
    // the key between escaped quotes.
    let closing = text.get(end).copied();
    let escaped = quoted && closing == Some(b'"') && end > 0 && text[end - 1] == b'\\';
    if escaped {
        end -= 1;
    }
    // Keys are letters, digits, `_`, `-` and `.`, at most 64 bytes; the dashes of a command-line flag
    // (`--password=`) are not part of the key, nor the underscores that mark a name as private or generated
    // (Laravel's `_token=`, Entity Framework's `@__email_0=`).
    let mut run_start = anchors.key_run_start(end, 64);
    // Keys in other scripts and with letters that are not ASCII (`contraseña:`, `hasło=`, `пароль:`): the run
    // goes on over letters of any script (read one character at a time: rare, and only after such a byte).
    if end > 0 && text[end - 1] >= 0x80 || run_start > 0 && text[run_start - 1] >= 0x80 {
        run_start = letters_and_key_bytes_before(text, end);
    }
    let mut start = run_start;
    if start == end {
        return None;
    }
    if !text[start].is_ascii_alphabetic() && text[start] < 0x80 {
        // (And the dot of a cookie's name, ASP.NET's `.ASPXAUTH=`, or of a path after an index, `[0].wa_id=`.)
        while start < end && matches!(text[start], b'-' | b'_' | b'.') {
            start += 1;
        }
        if start == end || !text[start].is_ascii_alphabetic() && text[start] < 0x80 {
            return None;
        }
        // A Java system property (`-Daws.secret.access.key=`): the `D` is the flag's.
        if start == run_start + 1
            && text[run_start] == b'-'
            && text[start] == b'D'
            && text.get(start + 1).is_some_and(u8::is_ascii_lowercase)
        {
            start += 1;
        }
    }
    if let (true, Some(closing)) = (quoted, closing) {
        let opening = match closing {
            b')' => b'(',
            b']' => b'[',
            quote => quote,
        };
        if start == 0 || text[start - 1] != opening || escaped && (start < 2 || text[start - 2] != b'\\') {
            return None;
        }
        // The field of a form (`user[password]`) is glued to its parent's name; a bracketed word on its own is a
        // replacement (`[IP]:16359`), not a key, except before PHP's `=>` (`print_r`: `[password] => hunter2`).
        if opening == b'[' {
            let glued = start >= 2 && (text[start - 2].is_ascii_alphanumeric() || text[start - 2] == b'_');
            // (Not a replacement of the engine's own, `[IP] => eth0`: redacting twice changes nothing more.)
            let arrow =
                text[at] == b'=' && text.get(at + 1) == Some(&b'>') && replacement_at(text, start - 1).is_none();
            return (glued || arrow).then_some((start, end));
        }
    }
    let before = if quoted { start.checked_sub(1 + usize::from(escaped)) } else { Some(run_start) };
    match before {
        Some(0) | None => Some((start, end)),
        Some(b) => {
            let prev = text[b - 1];
            if prev == b'/' && b >= 2 && text[b - 2] == b'/' {
                // Right after `//`, the user of a URL (`https://__token__:pypi-…@host`): the credentials
                // detector's.
                return None;
            }
            let boundary = !prev.is_ascii_alphanumeric() && !matches!(prev, b'_' | b'-' | b'.' | b'%');
            boundary.then_some((start, end))
        }
    }
}

/// Whether `value`, under a key whose rule gives it `entity`, is no value of that entity: a word of the rules'
/// `[not_values]` (a literal of no value, a variable, a cloud region under `location`), or a loopback or
/// unspecified address under an address key, which names no one's machine here as in free text. The value is
/// still scanned by the detectors.
pub(crate) fn names_no_value(rules: &Rules, memo: &mut KeyMemo, entity: EntityId, key: &[u8], value: &[u8]) -> bool {
    if entity == DetectorKind::Ip.entity() {
        let address = std::str::from_utf8(value).ok().and_then(|a| a.parse().ok());
        if address.is_some_and(names_no_host) {
            return true;
        }
    }
    if entity == DetectorKind::Name.entity() && names_a_field(rules, memo, value) {
        return true;
    }
    rules.names_no_value(entity, key, value)
}

/// True when `value`, under a name key, is itself the key of a field the rules replace: the name of a form's or
/// a schema's field (HubSpot's `{"name":"firstname","label":"First name"}`, `name=phone`), not a person's. Only
/// a small word in lower case, `_` or `-` is looked up, in the key memo.
fn names_a_field(rules: &Rules, memo: &mut KeyMemo, value: &[u8]) -> bool {
    (3..=31).contains(&value.len())
        && value.iter().all(|&b| b.is_ascii_lowercase() || b == b'_' || b == b'-')
        && memo.lookup(rules, value, 0, value.len()).is_some()
}

/// The start of the recipient in a VERP bounce address whose local part, starting at `start` (its `@` at
/// `at`), is the recipient's domain after an `=`: Mailgun's `bounce+1a2b3c-greta.lindgren=telia.com@mg.example.io`
/// encodes `greta.lindgren@telia.com`, whose user part is read back to the `-` or `+` before it.
fn verp_user_start(text: &[u8], start: usize, at: usize) -> Option<usize> {
    if start < 2 || text[start - 1] != b'=' || !text[start..at].contains(&b'.') {
        return None;
    }
    let user =
        text[..start - 1].iter().rev().take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_')).count();
    let user_start = start - 1 - user;
    // The bounce prefix (`bounce+1a2b3c-`, `list-bounces-`) ends in `-` or `+`; `user=jane.doe@x` is a pair.
    let prefixed = user_start > 0 && matches!(text[user_start - 1], b'-' | b'+');
    (user > 0 && prefixed).then_some(user_start)
}

/// Whether the key `text[start..end]`, which no rule lists, may still name a value: the last word of a label
/// that `label_lookup` reads, an OAuth `code` in a query string, a pair's `Value`, or FreeRADIUS's `OK` and
/// `incorrect`. Most keys are turned away by their length and first byte.
#[inline(always)]
fn may_name_a_value(text: &[u8], start: usize, end: usize) -> bool {
    let length = end - start;
    matches!(length, 2..=6) && matches!(text[start] | 0x20, b'n' | b'i' | b'b' | b'c' | b'v')
        || length == 2 && text[start] == b'O'
        || length == 9 && text[start] == b'i'
}

/// The login of a sudo or PAM line, read at the key after it and pushed as the field `username` is:
/// `sudo:   mkowalski : TTY=pts/0 ; PWD=… ; USER=root ; COMMAND=…` and `pam_unix(cron:session): session opened
/// for user anna(uid=1001) by (uid=0)`; and at its own key, the `user=` of PAM's `authentication failure;`.
#[cold]
#[inline(never)]
fn auth_log_user(rules: &Rules, text: &[u8], start: usize, end: usize, memo: &mut KeyMemo, out: &mut Vec<Finding>) {
    let before = &text[..start];
    let (words, lead): (&[u8], &[u8]) = match &text[start..end] {
        b"TTY" => (before.strip_suffix(b" : ").unwrap_or_default(), b"sudo:"),
        b"uid" => (before.strip_suffix(b"(").unwrap_or_default(), b" for user"),
        // PAM's `authentication failure; logname= uid=0 … rhost=… user=anna`: the login after the `=`.
        b"user"
            if text.get(end) == Some(&b'=')
                && memchr::memmem::find(&before[before.len().saturating_sub(512)..], b"authentication failure;")
                    .is_some() =>
        {
            let value_end = end + 1 + text[end + 1..].iter().take_while(|&&b| b != b' ').count();
            if value_end > end + 1 {
                memo.push_as_value_of(rules, b"username", text, (end + 1, value_end), out);
            }
            return;
        }
        _ => return,
    };
    let user_start = words.iter().rposition(|&b| b == b' ').map_or(0, |p| p + 1);
    if user_start < words.len() && words[..user_start].trim_ascii_end().ends_with(lead) {
        memo.push_as_value_of(rules, b"username", text, (user_start, words.len()), out);
    }
}

/// True when `login` is written as a person's name (`ValueShape::DottedLogin`): a first name or its initial and a
/// last name of three small letters or more, joined by a dot, the last ending in digits or not (`femke.bakker`,
/// `e.kaya`, `eilidh.fraser2`). Accounts, hosts and files of that shape (`app.service`, `example.com`) are the
/// rules' `[not_values]`.
fn reads_as_a_dotted_login(login: &[u8]) -> bool {
    let Some(dot) = login.iter().position(|&b| b == b'.') else { return false };
    let (first, rest) = (&login[..dot], &login[dot + 1..]);
    let letters = rest.iter().take_while(|b| b.is_ascii_lowercase()).count();
    !first.is_empty()
        && first.iter().all(u8::is_ascii_lowercase)
        && letters >= 3
        && rest[letters..].iter().all(u8::is_ascii_digit)
}

/// The login that names the home directory whose `home/` or `Users/` (or `Users\`) is at `start..after`: a path
/// segment right after a `/` (or `\`), of two to 32 letters, digits, `.`, `_` or `-`, starting with a letter
/// (`/home/kwilliams/.config`, `C:\Users\hpetersen\AppData`, JSON's `C:\\Users\\hpetersen`); not a
/// variable or a pattern (`/home/$USER`, `/home/*/`). Accounts of services are the rules' `[not_values]`.
fn home_directory_login(text: &[u8], start: usize, after: usize) -> Option<(usize, usize)> {
    let separator = *text.get(start.checked_sub(1)?)?;
    if !matches!(separator, b'/' | b'\\') {
        return None;
    }
    // A backslash escaped in a JSON string (`C:\\Users\\…`).
    let login_start = after + usize::from(separator == b'\\' && text.get(after) == Some(&b'\\'));
    let len = text[login_start..]
        .iter()
        .take(33)
        .take_while(|&&b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-'))
        .count();
    let ends = text.get(login_start + len).is_none_or(|&b| !(b.is_ascii_alphanumeric() || b >= 0x80 || b == b'$'));
    ((2..=32).contains(&len) && text[login_start].is_ascii_alphabetic() && ends)
        .then_some((login_start, login_start + len))
}

/// True when `login` can be a login: 1 to 64 bytes, no space or quote.
fn is_login(login: &[u8]) -> bool {
    // Not Kubernetes's own accounts (`system:serviceaccount:prod:billing-worker`, `system:anonymous`).
    login.first().is_some_and(u8::is_ascii_alphanumeric)
        && login.len() <= 64
        && login.iter().all(|&b| b > b' ' && b != b'"' && b != b'\'')
        && !login.starts_with(b"system:")
}

/// The logins of Windows accounts written with their domain (`CORP\\pwalsh`), read at the quote anchors' `\\`.
/// (A login quoted after the word `user` is read at the secret prefixes: `SecretKind::QuotedLogin`.)
#[inline(never)]
fn domain_logins(rules: &Rules, text: &[u8], anchors: &View<'_>, memo: &mut KeyMemo, out: &mut Vec<Finding>) {
    for at in anchors.positions(Anchor::Quote) {
        if text[at] == b'\\' {
            if let Some((start, end)) = domain_login_at(text, at) {
                memo.push_as_value_of(rules, b"username", text, (start, end), out);
            }
        }
    }
}

/// The login of a Windows account written with its domain, `CORP\pwalsh` (`Security ID: CONTOSO\tnguyen`, SQL
/// Server's `Login failed for user 'CORP\jdoe'`), whose `\` is at `at`: a domain of two to fifteen capitals,
/// digits and `-` at a word start, then a login in small letters that ends the word (`HKLM\SOFTWARE`,
/// `NT AUTHORITY\SYSTEM`, a path's `CORP\share\x` and a log level's escaped `WARN\tx` are no logins).
fn domain_login_at(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let domain = text[..at]
        .iter()
        .rev()
        .take(16)
        .take_while(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || **b == b'-')
        .count();
    let domain_start = at - domain;
    let free =
        domain_start == 0 || matches!(text[domain_start - 1], b' ' | b'"' | b'\'' | b'(' | b'=' | b':' | b',' | b'[');
    if !(2..=15).contains(&domain) || !free || !text[domain_start].is_ascii_uppercase() {
        return None;
    }
    // A log's own words before an escaped tab or line break (`FAILED\tretry`), and the registry's hives.
    const NOT_DOMAINS: &[&[u8]] = &[
        b"INFO",
        b"WARN",
        b"WARNING",
        b"ERROR",
        b"DEBUG",
        b"TRACE",
        b"FATAL",
        b"NOTICE",
        b"CRITICAL",
        b"ALERT",
        b"SEVERE",
        b"FAILED",
        b"FAIL",
        b"PASS",
        b"PASSED",
        b"OK",
        b"DONE",
        b"SUCCESS",
        b"SKIP",
        b"SKIPPED",
        b"TODO",
        b"NOTE",
        b"TRUE",
        b"FALSE",
        b"NULL",
        b"NONE",
        b"END",
        b"START",
        b"HKLM",
        b"HKCU",
        b"HKCR",
        b"HKU",
        b"HKCC",
    ];
    if NOT_DOMAINS.contains(&&text[domain_start..at]) {
        return None;
    }
    let login_byte = |b: &u8| b.is_ascii_lowercase() || b.is_ascii_digit() || matches!(b, b'.' | b'_' | b'-');
    let login = text[at + 1..].iter().take(65).take_while(|b| login_byte(b)).count();
    let end = at + 1 + login;
    let ends = text.get(end).is_none_or(|&b| !b.is_ascii_alphanumeric() && !matches!(b, b'\\' | b'/' | b'$'));
    ((2..=64).contains(&login) && text[at + 1].is_ascii_lowercase() && ends).then_some((at + 1, end))
}

/// The rule of FreeRADIUS's `Login incorrect: [bob/Wr0ngP4ss]` and `Login OK: […]` (logged with `auth_badpass`
/// or `auth_goodpass` on): the user's name and password in the brackets, read as a secret whole.
fn radius_login(text: &[u8], start: usize, end: usize, secret: KeyRule) -> Option<KeyRule> {
    let word = &text[start..end];
    let login = (word == b"incorrect" || word == b"OK")
        && text[..start].ends_with(b"Login ")
        && text[end..].starts_with(b": [");
    login.then_some(secret)
}

/// The rule of a `Value` key whose pair's name, right before it, names a replaced key: Go's `%+v` of a
/// Kubernetes env var (`EnvVar{Name:DATABASE_PASSWORD,Value:hunter2,…}`, `{Name:DB_PASSWORD Value:hunter2}`) and
/// `name=DB_PASSWORD, value=hunter2`, as JSON's `{"name":…,"value":…}` is read.
fn pair_name_rule(rules: &Rules, text: &[u8], start: usize, end: usize, memo: &mut KeyMemo) -> Option<KeyRule> {
    // JSON or a Python dict written into a text line quotes every part: `{"Name": "email", "Value": "…"}`.
    let quote = |at: usize| usize::from(matches!(text[at], b'"' | b'\''));
    if !text[start..end].eq_ignore_ascii_case(b"value") || start < 3 {
        return None;
    }
    let mut name_end = start - 1 - quote(start - 1);
    if !matches!(text[name_end], b',' | b' ') {
        return None;
    }
    if text[name_end] == b' ' && text[name_end - 1] == b',' {
        name_end -= 1;
    }
    name_end -= quote(name_end - 1);
    let key_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let name_start = name_end - text[..name_end].iter().rev().take_while(|b| key_byte(b)).take(65).count();
    if name_start == name_end || name_start < 5 {
        return None;
    }
    let mut separator = name_start - 1 - quote(name_start - 1);
    separator -= usize::from(text[separator] == b' ');
    if !matches!(text[separator], b':' | b'=') {
        return None;
    }
    let label_end = separator - quote(separator - 1);
    let label = text[..label_end].iter().rev().take_while(|b| b.is_ascii_alphabetic()).count();
    let names = matches!(label, 3 | 4) && is_pair_name(&text[label_end - label..label_end]);
    let free = label_end == label || !key_byte(&text[label_end - label - 1]);
    if !names || !free {
        return None;
    }
    memo.lookup(rules, text, name_start, name_end)
}

/// `name` or `key`, in any case: the member of a name/value pair that holds the name.
pub(crate) fn is_pair_name(word: &[u8]) -> bool {
    word.eq_ignore_ascii_case(b"name") || word.eq_ignore_ascii_case(b"key")
}

/// True when the string of a pair's `name` reads as a field's name rather than a person's: letters, digits, `_`,
/// `-` and `.`, with one of `_-.` or a digit, or in one case only (`LOG_LEVEL`, `Content-Type`, `timeout`). A
/// capitalized word (`Jane`, and so `Accept` too) may be a person's name, and stays replaced.
pub(crate) fn reads_as_a_key(name: &[u8]) -> bool {
    let key_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.');
    let marked = name.iter().any(|b| b.is_ascii_digit() || matches!(b, b'_' | b'-' | b'.'));
    let one_case = !name.iter().any(u8::is_ascii_uppercase) || !name.iter().any(u8::is_ascii_lowercase);
    name.first().is_some_and(u8::is_ascii_alphabetic) && name.iter().all(key_byte) && (marked || one_case)
}

/// True when a `Value` key follows the value that ends at `end` (`Name:LOG_LEVEL,Value:debug`): that value is
/// the pair's name, a field's, not a person's, when it reads as one.
fn value_key_follows(text: &[u8], end: usize) -> bool {
    // JSON or a Python dict written into a text line quotes both (`{"Name": "email", "Value": "…"}`).
    let quote = |at: usize| usize::from(matches!(text.get(at), Some(b'"' | b'\'')));
    let end = end + quote(end);
    let at = match text.get(end..end + 2) {
        Some([b',', b' ']) => end + 2,
        Some([b',' | b' ', _]) => end + 1,
        _ => return false,
    };
    let at = at + quote(at);
    text.get(at..at + 6)
        .is_some_and(|key| key[..5].eq_ignore_ascii_case(b"value") && matches!(key[5], b':' | b'=' | b'"' | b'\''))
}

/// The rule of a custom field of an ArcSight CEF event (`cs1=` to `cs6=`, `cn1=` to `cn3=`), which is the rule of
/// the key its label names: `cs1Label=displayName cs1=Sofia Andersson`, `cs2Label=Cookie cs2=_session\=…`.
fn cef_label_rule(rules: &Rules, text: &[u8], start: usize, end: usize, memo: &mut KeyMemo) -> Option<KeyRule> {
    let key = &text[start..end];
    let custom = matches!(key, [b'c', b's', b'1'..=b'6'] | [b'c', b'n', b'1'..=b'3']);
    if !custom || memchr::memmem::find(text, b"CEF:").is_none() {
        return None;
    }
    let mut label_key = [0u8; 8];
    label_key[..3].copy_from_slice(key);
    label_key[3..].copy_from_slice(b"Label");
    let at = memchr::memmem::find_iter(text, &label_key)
        .find(|&at| (at == 0 || matches!(text[at - 1], b' ' | b'|')) && text.get(at + 8) == Some(&b'='))?;
    // A label may hold spaces (`cs3Label=Full Name`): it runs to the next ` key=`. Looked up as a key is, its
    // words joined (`Full Name` as `full_name`).
    let label_start = at + 9;
    let mut label_end = label_start;
    while label_end < text.len() && label_end - label_start <= 64 {
        if text[label_end] == b' ' {
            let key = text[label_end + 1..].iter().take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
            if key > 0 && text.get(label_end + 1 + key) == Some(&b'=') {
                break;
            }
        }
        label_end += 1;
    }
    let label = &text[label_start..label_end];
    if label.is_empty() || label.len() > 64 {
        return None;
    }
    let mut joined = [0u8; 64];
    for (to, &byte) in joined.iter_mut().zip(label) {
        *to = if byte == b' ' { b'_' } else { byte };
    }
    memo.lookup(rules, &joined[..label.len()], 0, label.len())
}

/// The rule of a label of two or three words that ends with the key `text[start..end]` when that word names
/// nothing alone: `Passport No:`, `DL number:`, `Tax ID=`, `Date of Birth:`, `National Insurance Number:`. Keys
/// normalize without spaces, so `Passport No` is looked up as `passport_no` is; the shorter label is tried first.
fn label_lookup(rules: &Rules, text: &[u8], start: usize, end: usize, memo: &mut KeyMemo) -> Option<KeyRule> {
    let word = &text[start..end];
    let generic = [&b"no"[..], b"nr", b"id", b"num", b"number", b"birth"].iter().any(|g| word.eq_ignore_ascii_case(g));
    if !generic {
        return None;
    }
    // The word before the one at `at`, one space before it: letters (and an apostrophe, `Mother's`), with no
    // word byte before it.
    let word_before = |at: usize| -> Option<usize> {
        if at < 2 || text[at - 1] != b' ' {
            return None;
        }
        let letters =
            text[..at - 1].iter().rev().take_while(|b| b.is_ascii_alphabetic() || **b == b'\'').take(33).count();
        let first = at - 1 - letters;
        let free = first == 0
            || !(text[first - 1].is_ascii_alphanumeric() || matches!(text[first - 1], b'_' | b'-' | b'.' | b'\''));
        ((1..=32).contains(&letters) && text[first].is_ascii_alphabetic() && free).then_some(first)
    };
    let two = word_before(start)?;
    memo.lookup(rules, text, two, end).or_else(|| memo.lookup(rules, text, word_before(two)?, end))
}

/// The end of the line that `from` is on (before a quote that closes the string it is in), without trailing
/// spaces.
fn line_end(text: &[u8], from: usize) -> usize {
    let mut end = memchr::memchr3(b'"', b'\n', b'\r', &text[from..]).map_or(text.len(), |p| from + p);
    while end > from && text[end - 1] == b' ' {
        end -= 1;
    }
    end
}

/// The users of the access-log lines (Common and Combined Log Format: `host ident authuser [date] …`) among the
/// addresses found from `first` on: `203.0.113.9 - jsmith [12/Mar/2024:…]`, the date written as the format
/// writes it. The user names (not `-`) are classified as the field `username` is. (A loopback host is no
/// finding, so its line's user is not read.)
#[cold]
#[inline(never)]
fn access_log_users(rules: &Rules, text: &[u8], memo: &mut KeyMemo, first: usize, out: &mut Vec<Finding>) {
    for index in first..out.len() {
        let Finding { start, end, entity, .. } = out[index];
        if entity != DetectorKind::Ip.entity() {
            continue;
        }
        if text.get(end) == Some(&b':') {
            if let Some((user_start, user_end)) = openvpn_user(text, start, end) {
                memo.push_as_value_of(rules, b"username", text, (user_start, user_end), out);
            }
            continue;
        }
        if text.get(end) != Some(&b' ') {
            continue;
        }
        if let Some((user_start, user_end)) = ssh_login_user(text, start, end) {
            memo.push_as_value_of(rules, b"username", text, (user_start, user_end), out);
            continue;
        }
        let word = |from: usize| from + text[from..].iter().take(128).take_while(|&&b| b != b' ').count();
        let (ident_start, ident_end) = (end + 1, word(end + 1));
        let user_start = ident_end + 1;
        if ident_end == ident_start || text.get(ident_end) != Some(&b' ') || user_start >= text.len() {
            continue;
        }
        let user_end = word(user_start);
        if user_end == user_start || text.get(user_end..user_end + 2) != Some(b" [") || !clf_date(text, user_end + 2) {
            continue;
        }
        for (start, end) in [(ident_start, ident_end), (user_start, user_end)] {
            if &text[start..end] != b"-" {
                memo.push_as_value_of(rules, b"username", text, (start, end), out);
            }
        }
    }
}

/// How the messages that OpenVPN's server writes after a client's `user/address:port` start.
const OPENVPN_MESSAGES: &[&[u8]] = &[
    b"MULTI",
    b"TLS",
    b"VERIFY",
    b"PUSH",
    b"SENT CONTROL",
    b"Data Channel",
    b"Control Channel",
    b"peer info",
    b"Outgoing",
    b"Incoming",
    b"SIGUSR1",
    b"SIGTERM",
    b"Connection reset",
    b"Inactivity timeout",
    b"AUTH",
    b"WARNING",
    b"IV_",
    b"[",
];

/// The user (the certificate's common name or the login) that OpenVPN's server logs with the client's address
/// `text[start..end]`: `tomas.dvorak/203.0.113.5:60122 MULTI_sva: …` (the user, a `/`, the address, a port and a
/// message in capitals), `[mehmet.kaya] Peer Connection Initiated with [AF_INET]203.0.113.5:51234` and the status
/// file's `CLIENT_LIST,mehmet.kaya,203.0.113.5:51234,…`.
fn openvpn_user(text: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let login_byte = |b: &u8| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'_' | b'-' | b'@');
    let port_end = |from: usize| {
        let digits = text.get(from + 1..)?.iter().take_while(|b| b.is_ascii_digit()).count();
        (text.get(from) == Some(&b':') && (1..=5).contains(&digits)).then_some(from + 1 + digits)
    };
    if start >= 2 && text[start - 1] == b'/' {
        let after = port_end(end)?;
        // One of the messages OpenVPN's server writes after a client (not `tcp/10.1.2.3:443 OK` or a proxy's
        // `backend/10.0.0.5:8080 DOWN`).
        let message = text.get(after) == Some(&b' ')
            && OPENVPN_MESSAGES.iter().any(|message| text[after + 1..].starts_with(message));
        let user_start = start - 1 - text[..start - 1].iter().rev().take_while(|b| login_byte(b)).count();
        let at_word_start = user_start == 0 || text[user_start - 1] == b' ';
        return (message && at_word_start && user_start < start - 1).then_some((user_start, start - 1));
    }
    let before = &text[..start];
    if let Some(head) = before
        .strip_suffix(b"] Peer Connection Initiated with [AF_INET]")
        .or_else(|| before.strip_suffix(b"] Peer Connection Initiated with [AF_INET6]"))
    {
        let user_start = head.iter().rposition(|&b| b == b'[')? + 1;
        // (An empty `[]` names no one: no empty span.)
        let user = &head[user_start..];
        return (!user.is_empty() && user.iter().all(login_byte)).then_some((user_start, head.len()));
    }
    let head = before.strip_prefix(b"CLIENT_LIST,")?.strip_suffix(b",")?;
    (!head.is_empty() && !head.contains(&b',')).then_some((12, 12 + head.len()))
}

/// The login name that OpenSSH's server logs before the client's address `text[start..end]`: `Accepted publickey
/// for anna from 203.0.113.9 port 51234`, `Failed password for invalid user bob from …`, `Invalid user priya from
/// …`, `Connection closed by authenticating user root 203.0.113.9 port 22`, `Disconnected from user anna …`.
fn ssh_login_user(text: &[u8], start: usize, end: usize) -> Option<(usize, usize)> {
    let before = &text[start.saturating_sub(96)..start];
    let offset = start - before.len();
    let (words, from) = match before.strip_suffix(b" from ") {
        Some(words) => (words, true),
        None if text[end..].starts_with(b" port ") => (before.strip_suffix(b" ")?, false),
        None => return None,
    };
    let user_start = words.iter().rposition(|&b| b == b' ')? + 1;
    let user = &words[user_start..];
    let lead = &words[..user_start];
    let by_method = from
        && lead.ends_with(b" for ")
        && [b"Accepted ".as_slice(), b"Failed "].iter().any(|verb| memchr::memmem::find(lead, verb).is_some());
    let named = lead.ends_with(b"user ")
        && (from || [b"ing user ".as_slice(), b"invalid user ", b"from user "].iter().any(|end| lead.ends_with(end)));
    (!user.is_empty() && (by_method || named)).then_some((offset + user_start, offset + words.len()))
}

/// Capitalized words that log messages put before an address (`Invalid Email Address (…)`, `Sent Welcome Email
/// <…>`, `Actor Jane Doe (…)`): they end a run of name words.
const MESSAGE_WORDS: &[&str] = &[
    "Email",
    "E-mail",
    "Mail",
    "Address",
    "Password",
    "Reset",
    "Account",
    "User",
    "Users",
    "Invalid",
    "Unknown",
    "Sent",
    "Sending",
    "Send",
    "Welcome",
    "Invite",
    "Invitation",
    "Notification",
    "Confirmation",
    "Verification",
    "Verify",
    "Confirm",
    "Message",
    "Contact",
    "Customer",
    "Actor",
    "Admin",
    "Support",
    "Team",
    "Request",
    "Reply",
    "From",
    "To",
    "Cc",
    "Bcc",
    "Subject",
    "New",
    "Your",
    "Error",
    "Failed",
    "Login",
    "Signup",
    "Owner",
    "Member",
    "Recipient",
    "Sender",
    "Author",
    "Requester",
    "Assignee",
    "Created",
    "Updated",
    "Deleted",
    "By",
    "For",
    "The",
    "Dear",
    "Hello",
    "Hi",
    "Thanks",
    "Regards",
    // A telephony server's verbs before a caller (`Processing Sofia Andersson <+46…>`).
    "Processing",
    "Incoming",
    "Outgoing",
    "Calling",
    "Dialing",
    "Ringing",
    "Call",
    "Caller",
];

/// True when a Common Log Format date starts at `at`: `12/Mar/2024:`.
fn clf_date(text: &[u8], at: usize) -> bool {
    text.get(at..at + 12).is_some_and(|date| {
        date[..2].iter().all(u8::is_ascii_digit)
            && date[2] == b'/'
            && date[3..6].iter().all(u8::is_ascii_alphabetic)
            && date[6] == b'/'
            && date[7..11].iter().all(u8::is_ascii_digit)
            && date[11] == b':'
    })
}

/// The contents of the quoted string that ends right before `open` (the `<` of an address), past spaces:
/// `"Jane Doe" <`, `'Jane Doe' <`, and `\"Jane Doe\" <` inside a JSON string. Not empty, at most 128 bytes, no
/// `<` or `>`.
fn quoted_name_before(text: &[u8], open: usize) -> Option<(usize, usize)> {
    let close = text[..open].iter().rposition(|&b| b != b' ')?;
    let mark = text[close];
    if !matches!(mark, b'"' | b'\'') || open - close > 3 {
        return None;
    }
    let escaped = mark == b'"' && close > 0 && text[close - 1] == b'\\';
    let end = if escaped { close - 1 } else { close };
    let quote = text[..end].iter().rposition(|&b| b == mark)?;
    if escaped && (quote == 0 || text[quote - 1] != b'\\') {
        return None;
    }
    let (start, name) = (quote + 1, &text[quote + 1..end]);
    (!name.is_empty() && name.len() <= 128 && !name.iter().any(|&b| matches!(b, b'<' | b'>' | b'\\')))
        .then_some((start, end))
}

/// The name that signs a phone at `start`, before it past `, ` and one of `labels` (the rules' `phone_labels`), if
/// there is one (`Alessandro Conti, tel. +39…`, `/Karin Nilsson, +46…`): two to four capitalized words, as
/// `capitalized_words_before` reads them.
fn signed_name_before(text: &[u8], start: usize, labels: &[Box<[u8]>]) -> Option<(usize, usize)> {
    let mut at = start.checked_sub(1).filter(|&at| text[at] == b' ')?;
    let label = text[..at]
        .iter()
        .rev()
        .take(12)
        .take_while(|&&b| b.is_ascii_alphabetic() || b >= 0x80 || matches!(b, b'.' | b':'))
        .count();
    if label > 0 {
        let word = &text[at - label..at];
        let bare = word.strip_suffix(b":").unwrap_or(word);
        let bare = bare.strip_suffix(b".").unwrap_or(bare);
        if !labels.iter().any(|known| bare.eq_ignore_ascii_case(known))
            || (at - label).checked_sub(1).map(|space| text[space]) != Some(b' ')
        {
            return None;
        }
        at -= label + 1;
    }
    let comma = at.checked_sub(1).filter(|&comma| text[comma] == b',')?;
    // A signature starts the text, a sentence or a line (`… zaken: Femke Jansen, mobiel …`), not the middle of
    // one (`sent to 4 View Settings, +1 …`).
    capitalized_words_before(text, comma, 2).filter(|&(start, _)| match start {
        0 => true,
        1 => matches!(text[0], b'/' | b'"' | b'\'' | b'\n'),
        _ => {
            matches!(text[start - 1], b'/' | b'"' | b'\'' | b'\n' | b'\t')
                || text[start - 1] == b' '
                    && matches!(text[start - 2], b'.' | b':' | b'!' | b'?' | b',' | b';' | b'>' | b'-')
        }
    })
}

/// The run of one to four capitalized words that ends right before `open` (past one space): `Jane Doe <`,
/// `customer Pierre Lefèvre <` gives `Pierre Lefèvre`. A word is letters (any non-ASCII byte counts as one),
/// `'`, `-` and `.`, starting with an uppercase letter or a non-ASCII one and ending with a letter; a lowercase
/// word (`to`), a word in capitals (`ERROR`), a word of messages (`Invalid Email Address`, `Sent Welcome Email`,
/// see `MESSAGE_WORDS`) or punctuation (`To:`) ends the run. At least `min_words` words.
fn capitalized_words_before(text: &[u8], open: usize, min_words: usize) -> Option<(usize, usize)> {
    let end = if open > 0 && text[open - 1] == b' ' { open - 1 } else { open };
    let is_word_byte = |b: u8| b.is_ascii_alphabetic() || b >= 0x80 || matches!(b, b'\'' | b'-' | b'.');
    let mut start = end;
    let (mut words, mut particles) = (0, 0);
    let mut at = end;
    while words < 4 {
        let word_start = at - text[..at].iter().rev().take_while(|&&b| is_word_byte(b)).count();
        let word = &text[word_start..at];
        let capitalized = word.first().is_some_and(|&b| b.is_ascii_uppercase() || b >= 0x80);
        let ends_in_letter = word.last().is_some_and(|&b| b.is_ascii_alphabetic() || b >= 0x80);
        let letters = word.iter().filter(|b| b.is_ascii_alphabetic()).count();
        let shouting = letters >= 3 && word.iter().all(|b| !b.is_ascii_lowercase());
        let message = MESSAGE_WORDS.iter().any(|w| word.eq_ignore_ascii_case(w.as_bytes()));
        // The particles between the words of a name (`Pieter van den Berg`) belong to it when a capitalized word
        // stands before them.
        let particle = words > 0 && particles < 2 && super::names::PARTICLES.contains(&word);
        if (!capitalized || !ends_in_letter || shouting || message) && !particle {
            break;
        }
        if particle {
            particles += 1;
        } else {
            start = word_start;
            words += 1;
        }
        if word_start < 2 || text[word_start - 1] != b' ' || !is_word_byte(text[word_start - 2]) {
            break;
        }
        at = word_start - 1;
    }
    // A word run glued to what is before it (`x.Jane <`) is not a name of its own.
    let free =
        start == 0 || matches!(text[start - 1], b' ' | b'\t' | b'"' | b'\'' | b'(' | b'[' | b',' | b':' | b'=' | b'/');
    (words >= min_words && free && end > start).then_some((start, end))
}

/// Pairs the columns and values of the SQL `INSERT INTO table (columns) VALUES (…)` whose `VALUES` is
/// `text[values..after]`: calls `value` with each column name (quotes taken off) and the span of its value (a
/// string's contents, or a number) in every row of `VALUES (…), (…)`. `NULL`, `DEFAULT`, placeholders (`?`,
/// `$1`) and expressions are no values. Stops at the first thing that is not such a statement; at most 64 columns.
/// Returns how far it read.
#[cold]
#[inline(never)]
fn sql_insert(text: &[u8], values: usize, after: usize, mut value: impl FnMut(&[u8], usize, usize)) -> usize {
    let n = text.len();
    let skip_spaces = |mut at: usize| {
        while at < n && matches!(text[at], b' ' | b'\t' | b'\n' | b'\r') {
            at += 1;
        }
        at
    };
    // The column list right before `VALUES`, and a table name before it.
    let Some(close) = text[..values].iter().rposition(|&b| !matches!(b, b' ' | b'\t' | b'\n' | b'\r')) else {
        return after;
    };
    if text[close] != b')' {
        return after;
    }
    let from = values.saturating_sub(4096).min(close);
    let Some(open) = text[from..close].iter().rposition(|&b| b == b'(').map(|p| from + p) else {
        return after;
    };
    let after_table = |b: u8| b.is_ascii_alphanumeric() || matches!(b, b' ' | b'_' | b'"' | b'`' | b']');
    if open == 0 || !after_table(text[open - 1]) {
        return after;
    }
    let mut columns = [(0usize, 0usize); 64];
    let mut count = 0;
    let mut at = open + 1;
    loop {
        at = skip_spaces(at);
        let quoted = at < n && matches!(text[at], b'`' | b'"' | b'[');
        let start = at + usize::from(quoted);
        let end = start + text[start..].iter().take_while(|&&b| b.is_ascii_alphanumeric() || b == b'_').count();
        at = end + usize::from(quoted && text.get(end).is_some_and(|&b| matches!(b, b'`' | b'"' | b']')));
        if end == start || count == columns.len() {
            return after;
        }
        columns[count] = (start, end);
        count += 1;
        at = skip_spaces(at);
        match text.get(at) {
            Some(b',') => at += 1,
            Some(b')') if at == close => break,
            _ => return after,
        }
    }
    at = after;
    // Rows.
    loop {
        at = skip_spaces(at);
        if text.get(at) != Some(&b'(') {
            return at.max(after);
        }
        at += 1;
        for &(column_start, column_end) in columns[..count].iter().chain(std::iter::repeat(&(0, 0))) {
            at = skip_spaces(at);
            let Some(&first) = text.get(at) else { return at };
            let (span, next) = match first {
                b'\'' | b'"' => {
                    let (close, next) = sql_string_end(text, at + 1, first);
                    (Some((at + 1, close)), next)
                }
                // `E'…'`, `N'…'`: PostgreSQL's escape strings, SQL Server's national strings.
                b'E' | b'e' | b'N' | b'n' if text.get(at + 1) == Some(&b'\'') => {
                    let (close, next) = sql_string_end(text, at + 2, b'\'');
                    (Some((at + 2, close)), next)
                }
                _ => {
                    let end = sql_expression_end(text, at);
                    let token = text[at..end].trim_ascii_end();
                    let number = !token.is_empty()
                        && token.iter().all(|&b| b.is_ascii_digit() || matches!(b, b'.' | b'-' | b'+'));
                    (number.then_some((at, at + token.len())), end)
                }
            };
            if let Some((start, end)) = span.filter(|&(start, end)| end > start && column_end > column_start) {
                value(&text[column_start..column_end], start, end);
            }
            at = skip_spaces(next);
            match text.get(at) {
                Some(b',') => at += 1,
                Some(b')') => break,
                _ => return at.max(after),
            }
        }
        at = skip_spaces(at + 1);
        if text.get(at) != Some(&b',') {
            return at.max(after);
        }
        at += 1;
    }
}

/// Where the SQL string whose contents start at `from` closes (a doubled quote or a backslash escapes one), and
/// the position after its closing quote; the end of the text when it does not close.
fn sql_string_end(text: &[u8], from: usize, quote: u8) -> (usize, usize) {
    let mut at = from;
    while at < text.len() {
        match text[at] {
            b'\\' => at += 2,
            b if b == quote && text.get(at + 1) == Some(&quote) => at += 2,
            b if b == quote => return (at, at + 1),
            _ => at += 1,
        }
    }
    (text.len(), text.len())
}

/// Where the unquoted SQL value at `from` ends: the `,` or `)` at its own depth (`NOW()`, `COALESCE(a, b)`),
/// strings inside it skipped; the end of the text when none does.
fn sql_expression_end(text: &[u8], from: usize) -> usize {
    let mut depth = 0usize;
    let mut at = from;
    while at < text.len() {
        match text[at] {
            b'(' => depth += 1,
            b')' if depth == 0 => return at,
            b')' => depth -= 1,
            b',' if depth == 0 => return at,
            quote @ (b'\'' | b'"') => {
                at = sql_string_end(text, at + 1, quote).1;
                continue;
            }
            _ => {}
        }
        at += 1;
    }
    text.len()
}

/// The quoted string a SQL password clause ends at `after` sets: past spaces, an `=` and an opening parenthesis
/// (`PASSWORD 'x'`, `PASSWORD = 'x'`, `PASSWORD('x')`), a string in single quotes (a doubled quote inside it) or
/// double quotes, not empty. Its contents, when there is one.
#[cold]
#[inline(never)]
fn sql_password(text: &[u8], after: usize) -> Option<(usize, usize)> {
    // After `IDENTIFIED WITH`: the plugin's name, then `BY` or `AS`.
    let plugin = text[after..].iter().skip(1).take_while(|b| b.is_ascii_alphanumeric() || **b == b'_').count();
    let after = match text.get(after + 1 + plugin..after + 4 + plugin) {
        Some(b" BY" | b" AS") if plugin > 0 && text.get(after) == Some(&b' ') && text[after - 4..after] == *b"WITH" => {
            after + 4 + plugin
        }
        _ => after,
    };
    let mut at = after;
    let mut spaced = false;
    while at < text.len() && at < after + 4 && matches!(text[at], b' ' | b'=' | b'(') {
        spaced |= text[at] != b'(';
        at += 1;
    }
    // `PASSWORD'x'` glued is no clause; `PASSWORD(` is MySQL's function.
    let quote = *text.get(at)?;
    if at == after || !spaced && text[at - 1] != b'(' || !matches!(quote, b'\'' | b'"') {
        return None;
    }
    // A string the text cuts off runs to its end; a backslash or a doubled quote escapes one.
    let start = at + 1;
    let (close, _) = sql_string_end(text, start, quote);
    (close > start).then_some((start, close))
}

/// `user:password` after a `-u`, `--user` or `--user=` flag (`curl -u alice:s3cret`, `-u 'alice:s3cret'`,
/// `-ualice:s3cret`), when the key before the `:` starts at `user_start`: its span, the user included (quotes
/// excluded).
fn user_password_flag(text: &[u8], user_start: usize) -> Option<(usize, usize)> {
    let word_end = |from: usize| {
        from + text[from..].iter().take_while(|&&b| !matches!(b, b' ' | b'\t' | b'"' | b'\'' | b'\n')).count()
    };
    // The flag's length and the quote the value opens with, if any, from the bytes before the user: most keys are
    // turned away by the byte before them, or the one before that.
    let (flag_len, quote) = match text[..user_start] {
        // `-ualice:…`: the key read before the `:` is `ualice`.
        [.., b' ', b'-'] if text[user_start] == b'u' => return Some((user_start + 1, word_end(user_start + 1))),
        [.., b'-', b'u', b' '] => (3, None),
        [.., b'-', b'u', b' ', quote @ (b'\'' | b'"')] => (3, Some(quote)),
        [.., b'-', b'-', b'u', b's', b'e', b'r', b' ' | b'='] => (7, None),
        [.., b'-', b'-', b'u', b's', b'e', b'r', b' ', quote @ (b'\'' | b'"')] => (7, Some(quote)),
        _ => return None,
    };
    // The flag is a word of its own.
    let flag_start = user_start - flag_len - usize::from(quote.is_some());
    if flag_start > 0 && !matches!(text[flag_start - 1], b' ' | b'\t' | b'"' | b'\'') {
        return None;
    }
    let end = match quote {
        Some(quote) => memchr::memchr(quote, &text[user_start..]).map_or(text.len(), |p| user_start + p),
        None => word_end(user_start),
    };
    Some((user_start, end))
}

/// True when `gap` separates two items of a list: `, `, `,`, `; `, ` / `, ` or `, ` and `, `, or `.
fn is_list_gap(gap: &[u8]) -> bool {
    matches!(gap, b", " | b"," | b"; " | b" / " | b" or " | b" and " | b", or " | b", and ")
}

/// The end of the replacement that starts at `start` (`[REDACTED]` in `Bearer [REDACTED]`, which a value read up to
/// a `]` cuts short), if one does.
fn replacement_at(text: &[u8], start: usize) -> Option<usize> {
    if text.get(start) != Some(&b'[') {
        return None;
    }
    let close = memchr::memchr(b']', &text[start..]).map(|p| start + p)?;
    is_replacement(&text[start..=close]).then_some(close + 1)
}

/// True when `value` is a replacement the engine writes: a label (`[EMAIL]`, `[REDACTED]`, `[UK_NINO]`; entities
/// are uppercase letters, digits and `_`, from a letter) or a hash token (`[EMAIL:9f2c41]`), so that redacting
/// twice leaves it as it is. A credential's scheme before a credential's replacement (`Bearer [REDACTED]`, as the
/// engine writes an `Authorization` header in text and programs mask their own) counts too.
pub(crate) fn is_replacement(value: &[u8]) -> bool {
    let masked = AUTH_SCHEMES.iter().find_map(|scheme| {
        let rest = value.get(scheme.len()..)?;
        (value[..scheme.len()].eq_ignore_ascii_case(scheme.as_bytes()) && rest.first() == Some(&b' '))
            .then(|| &rest[1..])
    });
    if let Some(rest) = masked {
        // Only what a credential is replaced by: not any word in brackets (`Bearer [ABC123DEF456]`).
        let entity = rest.strip_prefix(b"[").and_then(|rest| rest.split(|&b| b == b']' || b == b':').next());
        return is_replacement(rest) && matches!(entity, Some(b"REDACTED" | b"SECRET" | b"CREDENTIALS"));
    }
    let Some(inner) = value.strip_prefix(b"[").and_then(|rest| rest.strip_suffix(b"]")) else {
        return false;
    };
    let (entity, hash) = match memchr::memchr(b':', inner) {
        Some(colon) => (&inner[..colon], Some(&inner[colon + 1..])),
        None => (inner, None),
    };
    entity.first().is_some_and(u8::is_ascii_uppercase)
        && entity.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        && hash.is_none_or(|hex| !hex.is_empty() && hex.iter().all(|&b| b.is_ascii_digit() || matches!(b, b'a'..=b'f')))
}

/// The schemes of an `Authorization` header, which a masked credential may keep (`Bearer [REDACTED]`).
const AUTH_SCHEMES: [&str; 6] = ["Bearer", "Basic", "Token", "Digest", "Bot", "Negotiate"];

/// True when the first byte from `from` on that is not a space opens a quoted string.
fn quoted_after(text: &[u8], from: usize) -> bool {
    text.get(from..).and_then(|rest| rest.iter().find(|&&b| b != b' ')).is_some_and(|&b| matches!(b, b'"' | b'\''))
}

/// The value after the separator at `at`: a quoted string's contents, or a bare value.
/// The end of a number whose first group of one to five digits is in parentheses at `start` and goes on past a
/// space, a `+` (a form's space), a dash or a dot with more digits (`(415) 555-0132`, `(0)20 7946 0958`).
fn parenthesized_number_end(text: &[u8], start: usize) -> Option<usize> {
    let digits = text[start + 1..].iter().take(6).take_while(|b| b.is_ascii_digit()).count();
    let close = start + 1 + digits;
    if !(1..=5).contains(&digits) || text.get(close) != Some(&b')') {
        return None;
    }
    let rest = &text[close + 1..];
    let skip = usize::from(rest.first().is_some_and(|b| matches!(b, b' ' | b'+' | b'-' | b'.')));
    if !rest.get(skip).is_some_and(u8::is_ascii_digit) {
        return None;
    }
    let run = rest.iter().take_while(|&&b| b.is_ascii_digit() || matches!(b, b' ' | b'+' | b'-' | b'.')).count();
    let trimmed = rest[..run].iter().rposition(u8::is_ascii_digit).map_or(0, |p| p + 1);
    Some(close + 1 + trimmed)
}

/// The first of the capitalized words of the key that ends at the separator at `at` (`Account` of `Account Name:`),
/// when the key has two or three; empty otherwise.
fn key_first_word(text: &[u8], at: usize) -> &[u8] {
    let mut first = at;
    let mut words = 0;
    while words < 3 {
        let letters = text[..first].iter().rev().take(24).take_while(|b| b.is_ascii_alphabetic()).count();
        // A word of a key is capitalized (`Account`), not in capitals (a value's `SYSTEM`).
        if letters < 2 || !text[first - letters].is_ascii_uppercase() || !text[first - letters + 1].is_ascii_lowercase()
        {
            break;
        }
        first -= letters;
        words += 1;
        if first < 2 || text[first - 1] != b' ' || !text[first - 2].is_ascii_alphabetic() {
            break;
        }
        first -= 1;
    }
    if words < 2 {
        return &[];
    }
    let start = if text[first] == b' ' { first + 1 } else { first };
    let len = text[start..].iter().take_while(|b| b.is_ascii_alphabetic()).count();
    &text[start..start + len]
}

/// True when `word` is written as an address is: with an `@` or a `:`, or as hex digits between dots or dashes
/// (`203.0.113.9`, `000c.29ab.cdf4`, `00-1A-2B-3C-4D-5E`).
fn reads_as_an_address(word: &[u8]) -> bool {
    word.iter().any(|&b| b == b'@' || b == b':')
        || word.iter().any(|&b| b == b'.' || b == b'-')
            && word.iter().all(|&b| b.is_ascii_hexdigit() || b == b'.' || b == b'-')
}

/// True when `value` is basic credentials in base64: it decodes to printable ASCII with a `:` between a user and
/// a password (`cHVsbC1vbmx5Ok83aDh6…`).
fn reads_as_basic_credentials(value: &[u8]) -> bool {
    use base64::Engine as _;
    let mut decoded = [0u8; 192];
    let Ok(length) = base64::engine::general_purpose::STANDARD.decode_slice(value, &mut decoded) else {
        return false;
    };
    let decoded = &decoded[..length];
    let colon = decoded.iter().position(|&b| b == b':');
    colon.is_some_and(|colon| colon > 0 && colon + 1 < length) && decoded.iter().all(|&b| (0x21..0x7f).contains(&b))
}

/// How far back `object_type_before` looks for the `{` that opens a key's object.
const OBJECT_REACH: usize = 512;

/// The `type` of the object that the quoted key at `key_start` is a member of, as the first member of that object
/// writes it (`{"type":"tag",…`, `{'type': 'segment',…`, `{\"type\":\"tag\",…`): the bytes of its value. `last`
/// is the answer for an earlier key (its start, and the type): when no brace and no `type` stand between the two,
/// the object is the same, and the answer too (so a line of many keys is read once).
fn object_type_before(
    text: &[u8],
    key_start: usize,
    last: (usize, Option<(usize, usize)>),
) -> (usize, Option<(usize, usize)>) {
    let floor = key_start.saturating_sub(OBJECT_REACH);
    let mut depth = 0usize;
    let mut at = key_start;
    let mut open = None;
    while at > floor {
        at -= 1;
        match text[at] {
            b'}' => depth += 1,
            b'{' if depth == 0 => {
                open = Some(at);
                break;
            }
            b'{' => depth -= 1,
            // The earlier key's object, unless a `type` member stands between (a second one makes no typed object).
            _ if at == last.0 && depth == 0 && memchr::memmem::find(&text[at..key_start], b"type").is_none() => {
                return (key_start, last.1)
            }
            _ => {}
        }
    }
    let Some(open) = open else { return (key_start, None) };
    // Read forward, the `{` must open the key's object outside any string, and hold one `type` only: a brace in a
    // quoted string (`'bio': "{'type': 'tag'"`) or a second `type` member makes no typed object.
    let key_quote = if text[..key_start - 1].ends_with(b"\\") { key_start - 2 } else { key_start - 1 };
    if !opens_object_of(text, open, key_quote)
        || memchr::memmem::find_iter(&text[open..key_quote], b"type").count() != 1
    {
        return (key_start, None);
    }
    let quoting = |b: &u8| matches!(b, b'"' | b'\'' | b'\\' | b' ');
    let mut i = open + 1;
    let skip = |i: &mut usize| *i += text[*i..].iter().take(8).take_while(|b| quoting(b)).count();
    skip(&mut i);
    if !text[i..].starts_with(b"type") {
        return (key_start, None);
    }
    i += 4;
    skip(&mut i);
    if text.get(i) != Some(&b':') {
        return (key_start, None);
    }
    i += 1;
    skip(&mut i);
    let len =
        text[i..].iter().take(32).take_while(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.')).count();
    (key_start, (len > 0).then_some((i, i + len)))
}

/// True when, read from the `{` at `open` to `end`, the brace is still open and `end` is outside any string:
/// strings in either quote, their escapes, and braces inside them passed over; escaped quotes (`\"`, JSON inside a
/// string) are no string's.
fn opens_object_of(text: &[u8], open: usize, end: usize) -> bool {
    let (mut depth, mut quote, mut i) = (0usize, None, open + 1);
    while i < end {
        match (quote, text[i]) {
            (_, b'\\') => i += 1,
            (None, b @ (b'"' | b'\'')) => quote = Some(b),
            (Some(q), b) if b == q => quote = None,
            (None, b'{') => depth += 1,
            (None, b'}') if depth == 0 => return false,
            (None, b'}') => depth -= 1,
            _ => {}
        }
        i += 1;
    }
    depth == 0 && quote.is_none()
}

fn value_after(text: &[u8], at: usize) -> Option<(usize, usize)> {
    let separator = text[at];
    let mut start = at + 1;
    // Ruby's and PHP's `"password"=>"hunter2"`.
    if separator == b'=' && text.get(start) == Some(&b'>') {
        start += 1;
    }
    while start < text.len() && matches!(text[start], b' ' | b'\t') {
        start += 1;
    }
    if start >= text.len() {
        return None;
    }
    // A Python or Django dump: the first string of a list (`'password': ['hunter2']`, a `QueryDict`), and a
    // string with a prefix (`b'hunter2'`, `u'Jane Doe'`).
    if text[start] == b'[' && quoted_after(text, start + 1) {
        start += 1;
        while text[start] == b' ' {
            start += 1;
        }
    }
    if matches!(text[start], b'b' | b'u' | b'r' | b'B' | b'U' | b'R')
        && text.get(start + 1).is_some_and(|&b| matches!(b, b'"' | b'\''))
        && (start == 0 || !text[start - 1].is_ascii_alphanumeric())
    {
        start += 1;
    }
    // A value between escaped quotes (`\"hunter2\"`), in JSON escaped inside a string.
    if text[start] == b'\\' && text.get(start + 1) == Some(&b'"') {
        let close = memchr::memmem::find(&text[start + 2..], b"\\\"").map_or(text.len(), |p| start + 2 + p);
        return (close > start + 2).then_some((start + 2, close));
    }
    let quote = text[start];
    // `phone=(415) 555-0132`, a form's `(415)+555-0132`: a number whose first group is in parentheses.
    if quote == b'(' {
        if let Some(end) = parenthesized_number_end(text, start) {
            return Some((start, end));
        }
    }
    if matches!(quote, b'"' | b'\'' | b'(') {
        let close = if quote == b'(' { b')' } else { quote };
        let mut j = start + 1;
        while j < text.len() && text[j] != close {
            if text[j] == b'\\' {
                j += 1;
            }
            j += 1;
        }
        let end = j.min(text.len());
        return (end > start + 1).then_some((start + 1, end));
    }
    // A list of bare values (`phones=[4155552671,4155552672]`): all of it, up to its `]`. A replacement
    // (`[EMAIL]`, `[EMAIL:9f2c41]`) is returned with its brackets, which the caller passes over.
    if quote == b'[' {
        if let Some(end) = replacement_at(text, start) {
            return Some((start, end));
        }
        let close = memchr::memchr(b']', &text[start..]).map(|p| start + p)?;
        return (close > start + 1).then_some((start + 1, close));
    }
    // An LDAP password hash (`userPassword: {SSHA}9Y+z…`) is a value; any other brace opens an object.
    if quote == b'{' {
        let scheme = text[start + 1..]
            .iter()
            .take(16)
            .take_while(|&&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'-')
            .count();
        if scheme < 3 || text.get(start + 1 + scheme) != Some(&b'}') {
            return None;
        }
        let hash = start + 2 + scheme;
        let end = hash + text[hash..].iter().take_while(|&&b| is_token_byte(b) || b == b'$').count();
        return (end > hash).then_some((start, end));
    }
    let stop = |b: u8| {
        matches!(b, b',' | b';' | b'&' | b'"' | b'\'' | b'<' | b'>' | b')' | b'}' | b']' | b'\n' | b'\r' | b'\t' | b'|')
    };
    let mut end = start;
    // A word ends at a space or a delimiter, except an apostrophe between two letters (`O'Brien`).
    let word_end = |from: usize| {
        let mut end = from;
        while end < text.len() && text[end] != b' ' {
            let apostrophe = text[end] == b'\''
                && end > from
                && text[end - 1].is_ascii_alphabetic()
                && text.get(end + 1).is_some_and(u8::is_ascii_alphabetic);
            let inside = matches!(text[end], b'&' | b')') && inside_a_word(text, from, end);
            if stop(text[end]) && !apostrophe && !inside {
                break;
            }
            end += 1;
        }
        end
    };
    if separator == b'=' {
        end = word_end(start);
        // `ssn=078 05 1120`, `tfn=459 183 726`, `phone=+1 415 555 0100`: a number written in groups of two to four
        // digits goes on over single spaces, up to fifteen digits; a group of four ends it unless it is the first
        // (not `phone=+1 415 555 0100 200 OK`, nor a number after a whole one, `phone=4155552671 200`).
        let numeric = |word: &[u8]| !word.is_empty() && word.iter().all(u8::is_ascii_digit);
        let first = text[start..end].strip_prefix(b"+").unwrap_or(&text[start..end]);
        if numeric(first) && first.len() <= 4 {
            let (mut digits, mut last) = (first.len(), first.len());
            while (last < 4 || digits == first.len()) && text.get(end) == Some(&b' ') {
                let next_end = word_end(end + 1);
                let group = next_end - end - 1;
                if !(2..=4).contains(&group) || !numeric(&text[end + 1..next_end]) || digits + group > 15 {
                    break;
                }
                (digits, last, end) = (digits + group, group, next_end);
            }
        }
        // `name=Jane Doe status=200`: an unquoted value goes on over single spaces with capitalized words (names,
        // places), up to the next `key=` or a word in lower case; and over a comma before one (`Doe, Jane`).
        loop {
            let gap = match text.get(end..end + 2) {
                Some([b' ', _]) => 1,
                Some(b", ") => 2,
                _ => break,
            };
            // One or two particles between the words of a name (`Pieter van Dijk`, `Pieter van der Berg`).
            let mut at = end + gap;
            if gap == 1 {
                if let Some(after) = super::names::past_particle(text, at) {
                    if text.get(after).is_some_and(u8::is_ascii_uppercase) {
                        at = after;
                    }
                }
            }
            if !text.get(at).is_some_and(u8::is_ascii_uppercase) {
                break;
            }
            let next_end = word_end(at);
            let word = &text[at..next_end];
            // A name's word: letters (and `-`, `'`, `.`), with a lower-case letter unless it is an initial; not
            // `HTTP/1.1` after a query string's last value.
            let name_like =
                word.iter().all(|&b| b.is_ascii_alphabetic() || matches!(b, b'-' | b'\'' | b'.') || b >= 0x80)
                    && (word.len() <= 2 || word.iter().any(u8::is_ascii_lowercase));
            if !name_like || next_end - start > 128 {
                break;
            }
            end = next_end;
        }
    } else {
        // `key: value words`: words separated by single spaces, up to the next `key=`/`key:` or a delimiter.
        let mut last_word = start;
        loop {
            let word_end = word_end(end);
            let word = &text[end..word_end];
            let pair = word.iter().position(|&b| b == b'=').is_some_and(|p| p > 0 && p + 1 < word.len());
            if word.is_empty() || (end > start && (pair || word.ends_with(b":"))) {
                // Keys of two words that share the first (Windows' `Account Name: jkessler Account Domain: CORP`):
                // the next key starts at the word the value's key started with.
                if word.ends_with(b":")
                    && last_word > start
                    && text[last_word..end].trim_ascii_end() == key_first_word(text, at)
                {
                    end = last_word;
                }
                break;
            }
            last_word = end;
            end = word_end;
            // `Name: Doe, Jane`, `Address: 12 Main St, Springfield`: a comma before a capitalized word goes on.
            if text.get(end..end + 2) == Some(b", ") && text.get(end + 2).is_some_and(u8::is_ascii_uppercase) {
                end += 1;
            }
            if end - start > 128
                || text.get(end) != Some(&b' ')
                || text.get(end + 1).is_none_or(|&b| b == b' ' || stop(b))
            {
                break;
            }
            end += 1;
        }
        while end > start && matches!(text[end - 1], b' ' | b',') {
            end -= 1;
        }
    }
    (end > start).then_some((start, end))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn find(text: &str) -> Vec<(String, String)> {
        find_with(text, ScanContext::default())
    }

    fn find_with(text: &str, context: ScanContext) -> Vec<(String, String)> {
        // The defaults and their detectors, built once for all tests (the given names take a while unoptimized).
        static DEFAULTS: std::sync::OnceLock<(Rules, Detectors)> = std::sync::OnceLock::new();
        let (rules, detectors) = DEFAULTS.get_or_init(|| {
            let rules = Rules::defaults();
            let detectors = Detectors::new(&rules);
            (rules, detectors)
        });
        find_by(rules, detectors, text, context)
    }

    /// The findings in `text` under `rules`, as `(ENTITY, value)`.
    fn find_under(rules: &Rules, text: &str, context: ScanContext) -> Vec<(String, String)> {
        find_by(rules, &Detectors::new(rules), text, context)
    }

    fn find_by(rules: &Rules, detectors: &Detectors, text: &str, context: ScanContext) -> Vec<(String, String)> {
        let mut anchors = super::super::anchors::Anchors::default();
        anchors.compute(text.as_bytes(), detectors.secret_prefixes());
        let mut memo = KeyMemo::default();
        let mut out = Vec::new();
        let view = anchors.view(0, text.len());
        detectors.scan(rules, text.as_bytes(), &view, context, &mut memo, &mut out);
        out.iter().map(|f| (rules.entity_name(f.entity).to_string(), text[f.start..f.end].to_string())).collect()
    }

    /// The findings in `text` as `ENTITY=value`.
    fn found(text: &str) -> Vec<String> {
        find(text).into_iter().map(|(entity, value)| format!("{entity}={value}")).collect()
    }

    fn one(text: &str, entity: &str, value: &str) {
        let found = find(text);
        assert_eq!(found, vec![(entity.to_string(), value.to_string())], "in {text:?}");
    }

    fn none(text: &str) {
        assert_eq!(find(text), vec![], "in {text:?}");
    }

    #[test]
    fn a_value_that_is_only_a_timestamp_holds_nothing_the_detectors_find() {
        // The JSON walker skips such a value without a scan: this holds the skip to what the scan would give, for
        // every shape `is_timestamp` accepts, with and without phone or SSN key context.
        let seed = 0x5eed_7157_u64;
        println!("seed {seed:#x}");
        let mut state = seed;
        let mut pick = |n: u64| (super::super::xorshift(&mut state) % n) as usize;
        let contexts = [
            ScanContext::default(),
            ScanContext::default().with(ScanContext::PHONE_KEY, true),
            ScanContext::default().with(ScanContext::SSN_KEY, true),
        ];
        for _ in 0..3000 {
            let digits = |count: usize, pick: &mut dyn FnMut(u64) -> usize| {
                (0..count).map(|_| char::from(b'0' + pick(10) as u8)).collect::<String>()
            };
            let date = format!("{}-{}-{}", digits(4, &mut pick), digits(2, &mut pick), digits(2, &mut pick));
            let time = format!("{}:{}:{}", digits(2, &mut pick), digits(2, &mut pick), digits(2, &mut pick));
            let between = ["T", " "][pick(2)];
            let fraction = match pick(3) {
                0 => String::new(),
                _ => format!(".{}", digits(1 + pick(9), &mut pick)),
            };
            let zone = match pick(5) {
                0 => String::new(),
                1 => "Z".to_string(),
                2 => format!("{}{}:{}", ["+", "-"][pick(2)], digits(2, &mut pick), digits(2, &mut pick)),
                3 => format!("{}{}", ["+", "-"][pick(2)], digits(4, &mut pick)),
                _ => format!("{}{}", ["+", "-"][pick(2)], digits(2, &mut pick)),
            };
            let stamp = format!("{date}{between}{time}{fraction}{zone}");
            assert!(is_timestamp(stamp.as_bytes()), "{stamp:?} (seed {seed:#x})");
            for context in contexts {
                assert_eq!(find_with(&stamp, context), vec![], "{stamp:?} in {context:?} (seed {seed:#x})");
            }
        }
        for not_only_a_timestamp in [
            "2025-11-29T14:26:36Z jane@example.com",
            "2025-11-29",
            "2025-11-29T14:26",
            "2025-11-29T14:26:36.",
            "2025-11-29T14:26:36.1234567890Z",
            "2025-11-29T14:26:36+1",
            "2025-11-29T14:26:36ZZ",
            "2025/11/29T14:26:36Z",
            "4111-11-11T11:11:11 4111111111111111",
        ] {
            assert!(!is_timestamp(not_only_a_timestamp.as_bytes()), "{not_only_a_timestamp:?}");
        }
    }

    #[test]
    fn emails() {
        one("contact jane.doe+tag@mail.example.co.uk now", "EMAIL", "jane.doe+tag@mail.example.co.uk");
        one("<a href=\"mailto:Jane@Example.com\">", "EMAIL", "Jane@Example.com");
        one("GET /u?x=jane%40example.com&y=1", "EMAIL", "jane%40example.com");
        one("sent to bob@example.com.", "EMAIL", "bob@example.com");
        none("root@localhost and a@b and user@host.123");
        none("npm i @types/node@1.2.3");
        one("contact jörg.müller@example.com now", "EMAIL", "jörg.müller@example.com");
        one("to jane@müller.de", "EMAIL", "jane@müller.de");
        one("张伟@example.cn", "EMAIL", "张伟@example.cn");
        one("write to “jane@example.com”, please", "EMAIL", "jane@example.com");
        one("j\u{FFFD}rg@example.com", "EMAIL", "j\u{FFFD}rg@example.com");
        one("mail.ru: почта@пример.рф", "EMAIL", "почта@пример.рф");
        // A dash after the domain joins the next word to it, not to the address.
        one("sent to jane@example.com-retry", "EMAIL", "jane@example.com");
        // A domain name may hold a dash, and `.log` is a top-level domain: all of it is the address.
        one("users-jane@example.com-4111111111111111.log", "EMAIL", "users-jane@example.com-4111111111111111.log");
        // A quoted local part, and a doubled `@` as a form quotes what was typed.
        one("arg1=<\"siobhan o'brien\"@shamrock-mail.ie>, relay", "EMAIL", "\"siobhan o'brien\"@shamrock-mail.ie");
        one("not valid: carlos.mendez@@pampa-net.com.ar []", "EMAIL", "carlos.mendez@@pampa-net.com.ar");
        none("select @@ROWCOUNT, @@version");
        // Names with an `@` that are no mailbox: systemd's units, git's and RabbitMQ's logins, a Kerberos
        // service's principal, Message-IDs (also in a list) and an iCalendar UID.
        none("Started getty@tty1.service and postgresql@16-main.service; Delivered mail 65f31a9b_1a2b@web-7f9c4d.mail");
        none("origin git@github.com:org/firmware.git; node rabbit@rabbitmq-0.rabbitmq-headless.mq.svc.cluster.local down");
        none("kinit: Client 'HTTP/web01.corp.example.com@CORP.EXAMPLE.COM' not found");
        one("GET /api/users/JANE.DOE@EXAMPLE.COM HTTP/1.1", "EMAIL", "JANE.DOE@EXAMPLE.COM");
        one("From: git@acme-corp.com", "EMAIL", "git@acme-corp.com");
        one("LDAP bind UID:jane.doe@example.com ok", "EMAIL", "jane.doe@example.com");
        one("X-Forwarded-For-User-References: <jane.doe@example.com>", "EMAIL", "jane.doe@example.com");
        one("Message-ID: <a1@mx.example.com> <jane.doe@example.com>", "EMAIL", "jane.doe@example.com");
        none("References: <CAF=x1@mail.gmail.com> <part1.F3A2@example.com>; Content-ID: <img1@example.org>");
        none("UID:7kq2lm9rt8vw4yz3bn6cp1df5g@google.com");
        one("kinit jdoe@CORP.EXAMPLE.COM ok", "EMAIL", "jdoe@CORP.EXAMPLE.COM");
        one("to jane@mail.my-host.co.uk-2 now", "EMAIL", "jane@mail.my-host.co.uk");
        none("user@host-1");
    }

    #[test]
    fn the_values_of_a_sql_insert_get_the_action_of_their_column() {
        let insert = "INSERT INTO users (first_name, last_name, email, phone) VALUES ('Jane', 'O''Neil', 'jane@x.com', '+1 415 555 2671')";
        assert_eq!(found(insert), ["NAME=Jane", "NAME=O''Neil", "EMAIL=jane@x.com", "PHONE=+1 415 555 2671"]);
        let sequelize = "Executing (default): INSERT INTO `payments` (`id`,`card_number`,`holder`) VALUES (DEFAULT,'5555555555554444','Lena Fischer');";
        assert_eq!(found(sequelize), ["CARD=5555555555554444", "NAME=Lena Fischer"]);
        let gorm = "[rows:1] INSERT INTO \"users\" (\"name\",\"dob\",\"created_at\") VALUES ('Hiroshi Sato','1985-04-12',NOW()),(NULL,E'1990-01-02','2024-01-01')";
        assert_eq!(found(gorm), ["NAME=Hiroshi Sato", "PERSONAL=1985-04-12", "PERSONAL=1990-01-02"]);
        // Numbers under a classified column, placeholders and expressions left alone.
        assert_eq!(found("insert into t (phone, name, zip) VALUES (4155552671, ?, lower('X'))"), ["PHONE=4155552671"]);
        // Not such a statement: no column list, a select, a cut-off row.
        for text in [
            "INSERT INTO users VALUES ('Jane')",
            "INSERT INTO users (name) SELECT name FROM x",
            "INSERT INTO users (name) VALUES",
            "(name) VALUES ('Jane')",
            "INSERT INTO users (name) VALUES ?",
        ] {
            assert_eq!(found(text), Vec::<String>::new(), "in {text:?}");
        }
        // A string the line cuts off is its value to the end.
        assert_eq!(found("INSERT INTO users (name) VALUES ('Jane Do"), ["NAME=Jane Do"]);
        // Many statements on one line, or none: each row is read once.
        let hostile = "(a) VALUES (x( ".repeat(2000);
        assert_eq!(found(&hostile), Vec::<String>::new());
        let many = "INSERT INTO t (name) VALUES ('Ann'); ".repeat(3);
        assert_eq!(found(&many), ["NAME=Ann", "NAME=Ann", "NAME=Ann"]);
        // Far from anything before it.
        assert_eq!(found(&format!("x{}VALUES ('Jane')", " ".repeat(5000))), Vec::<String>::new());
    }

    #[test]
    fn the_user_of_an_access_log_line_is_a_username() {
        let line = r#"10.2.3.4 - jsmith [12/Mar/2024:10:16:01 +0000] "POST /login HTTP/1.1" 401 37"#;
        // Not without the format's date: sshd's `port 51234 [preauth]`, fail2ban's `after 5 [sshd]`.
        assert_eq!(found("Connection closed by 203.0.113.9 port 51234 [preauth]"), ["IP=203.0.113.9"]);
        assert_eq!(found("Ban 203.0.113.9 after 5 [sshd]"), ["IP=203.0.113.9"]);
        assert_eq!(found(line), ["IP=10.2.3.4", "USERNAME=jsmith"]);
        assert_eq!(found("203.0.113.9 alice - [12/Mar/2024:10:16:01 +0000] x"), ["IP=203.0.113.9", "USERNAME=alice"]);
        // No user, or not the shape of the format.
        assert_eq!(found("203.0.113.9 - - [12/Mar/2024:10:16:01 +0000] x"), ["IP=203.0.113.9"]);
        assert_eq!(found("from 203.0.113.9 to bob now [x]"), ["IP=203.0.113.9"]);
    }

    #[test]
    fn a_login_quoted_after_user_in_either_quote_is_read_even_alone() {
        one("FATAL:  password authentication failed for user \"tdvorak\"", "USERNAME", "tdvorak");
        one("HTTP access denied: user 'nkowalczyk' - invalid credentials", "USERNAME", "nkowalczyk");
        one("Unsuccessful 1FA authentication attempt by user 'svenja' and", "USERNAME", "svenja");
        // Service accounts, Cisco's enable levels, SQL's `CREATE USER`, words with a space.
        for line in ["x user 'postgres' y", "%ASA-5-111008: User 'enable_15' executed", "CREATE USER 'app'@'%'"] {
            none(line);
        }
        // A person's name in quotes is no login, though the given names read it as a name.
        one("for user 'Jane Doe' ok", "NAME", "Jane Doe");
    }

    #[test]
    fn a_home_directory_is_named_after_a_login() {
        one("read access to \"/home/kwilliams/.config/x.json\" denied", "USERNAME", "kwilliams");
        one(r#"WS118,"C:\Users\hpetersen\AppData\Local\x.pdf""#, "USERNAME", "hpetersen");
        one("directory=/Users/awright", "USERNAME", "awright");
        // Accounts of services and of no one, variables, patterns, too short, glued to a word, not a home.
        for line in [
            "/home/ubuntu/app /home/node/app /home/$USER/x /home/*/x /home/a/ C:\\Users\\Public\\x",
            "myhome/jsmith /Users/Shared/x GET /users/123 home/x",
        ] {
            none(line);
        }
    }

    #[test]
    fn a_user_written_as_a_persons_name_is_a_login() {
        assert_eq!(found("Found 203.0.113.9 (user=femke.bakker)"), ["IP=203.0.113.9", "USERNAME=femke.bakker"]);
        one("send failed user=mariana.sousa2 status=404", "USERNAME", "mariana.sousa2");
        one("login from user: eilidh.fraser, ok", "USERNAME", "eilidh.fraser");
        // Service accounts, hosts and files are single words or no names.
        one("tunnel-up user=\"e.kaya\" group=\"SSLVPN-Users\"", "USERNAME", "e.kaya");
        one("login User=anna.berg ok", "USERNAME", "anna.berg");
        one("session created {\"user\": \"aiko.tanaka\", \"mfa\": true}", "USERNAME", "aiko.tanaka");
        // Logins whose first or last word is a short one of the rules' dotted accounts, or not.
        one("user=d.smith", "USERNAME", "d.smith");
        one("user=jo.smith", "USERNAME", "jo.smith");
        none("user=db.reader user=web.frontend user=github.actions user=gitlab.deployer user=anna.web");
        // A bare value: its first word (`user: e.kaya from …`).
        one("accepted user: anna.berg from vpn", "USERNAME", "anna.berg");
        // PAM's `authentication failure;`: the login whatever its shape.
        one("pam_unix(sshd:auth): authentication failure; logname= uid=0 tty=ssh ruser= user=anna", "USERNAME", "anna");
        for line in [
            "user=postgres db=app",
            "user=example.com",
            "user=app.log",
            "user=\"jmeier\"",
            "user=svc_backup",
            "user=app.service failed",
            "user=svc.backup",
            "user=host.de",
            "user=db.admin",
            "user=jenkins.agent user=index.html user=grafana.agent",
        ] {
            none(line);
        }
    }

    #[test]
    fn a_full_name_in_parentheses_after_a_persons_value_is_theirs() {
        assert_eq!(found("call from +4915209876543 (Ayşe Kaya) ok"), ["PHONE=+4915209876543", "NAME=Ayşe Kaya"]);
        assert_eq!(
            found("fødselsnummer 17058809128 (Ingrid Haugen):"),
            ["NATIONAL_ID=17058809128", "NAME=Ingrid Haugen"]
        );
        // One word, a word that names no one, and a card's brand are not.
        assert_eq!(found("call from +4915209876543 (Customer Service)"), ["PHONE=+4915209876543"]);
        assert_eq!(found("card 4111 1111 1111 1111 (Visa Debit)"), ["CARD=4111 1111 1111 1111"]);
        assert_eq!(found("call from +4915209876543 (Ayşe)"), ["PHONE=+4915209876543"]);
    }

    #[test]
    fn a_number_after_a_key_ends_at_a_space() {
        assert_eq!(found("tfn=459183726 200 OK"), ["NATIONAL_ID=459183726"]);
        // A number in groups goes on over single spaces; a group of four ends it unless it is the first.
        assert_eq!(found("tfn=459 183 726 status=ok"), ["NATIONAL_ID=459 183 726"]);
        assert_eq!(found("ssn=078 05 1120 status=ok"), ["SSN=078 05 1120"]);
        assert_eq!(found("bsn=1112 22 333 x"), ["NATIONAL_ID=1112 22 333"]);
    }

    #[test]
    fn digits_in_parentheses_glued_to_a_word_are_no_part_of_a_number() {
        one("voicemail from +353 86 771 2290 (32s): hi", "PHONE", "+353 86 771 2290");
        one("call +1 (415) 555-2671 now", "PHONE", "+1 (415) 555-2671");
    }

    #[test]
    fn a_php_array_dump_is_read_by_its_keys() {
        one("    [password] => hunter2", "SECRET", "hunter2");
        one("Array ( [email] => jane@x.com [id] => 7 )", "EMAIL", "jane@x.com");
        none("[IP]:16359 and [password]: x");
        // The engine's own replacements are no keys: `route [IP] => eth0` stays as it is.
        none("route [IP] => eth0 up; rename [EMAIL] => tenant-42");
    }

    #[test]
    fn a_label_whose_last_word_names_nothing_alone_is_read_with_the_words_before() {
        // (A bare value runs to a delimiter, as under any key.)
        one("Passport No: 533380006, expired on 2023-05-01", "NATIONAL_ID", "533380006");
        one("DL number: SMITH901015JJ9AA; uploaded", "NATIONAL_ID", "SMITH901015JJ9AA");
        one("customer Tax ID=DE123456789 set", "SSN", "DE123456789");
        // Three words, after a shorter label that names nothing; a word before the label does not hide it.
        one("National Insurance Number: QQ123456C", "NATIONAL_ID", "QQ123456C");
        one("Date of Birth: 1990-01-02", "PERSONAL", "1990-01-02");
        one("Bank Account Number: 12345678", "PERSONAL", "12345678");
        one("customer My Passport No: X1234567", "NATIONAL_ID", "X1234567");
        // Two or three words that name nothing, or a generic word alone.
        none("Order No: 12345 shipped; No: 7; x.Passport No: 1; Request ID: abc; Order Line Number: 4");
    }

    #[test]
    fn the_name_of_an_address_is_a_name() {
        let pair = |name: &str, email: &str| {
            vec![("NAME".to_string(), name.to_string()), ("EMAIL".to_string(), email.to_string())]
        };
        assert_eq!(
            find(r#"Sending mail to "Jane Doe" <jane.doe@example.com> ok"#),
            pair("Jane Doe", "jane.doe@example.com")
        );
        assert_eq!(find(r#"To: "Müller, Jürgen" <j@firma.de>"#), pair("Müller, Jürgen", "j@firma.de"));
        // Inside a JSON string, as the walker scans it.
        assert_eq!(find(r#"mail from \"Ana\" <a@x.io>"#), pair("Ana", "a@x.io"));
        assert_eq!(
            find("no VAT number for customer Pierre Lefèvre <p.lefevre@example.fr>"),
            pair("Pierre Lefèvre", "p.lefevre@example.fr")
        );
        assert_eq!(find("From: Jane <jane@x.com>"), pair("Jane", "jane@x.com"));
        assert_eq!(
            find("created by requester Liam Murphy (liam.murphy@example.ie)"),
            pair("Liam Murphy", "liam.murphy@example.ie")
        );
        assert_eq!(find("To: 'Jane Doe' <jane@x.com>"), pair("Jane Doe", "jane@x.com"));
        assert_eq!(find("Actor Jane Doe (jane@x.com)"), pair("Jane Doe", "jane@x.com"));
        // No name: lowercase words, capitals, punctuation, one word before parentheses, a word glued to code,
        // the words of a message.
        for text in [
            "Invalid Email Address (jane@x.com)",
            "INFO Sent Welcome Email <jane@x.com>",
            "INFO Sending Password Reset Email (jane@x.com)",
            "Doe' <jane@x.com>",
            "sent to <jane@x.com>",
            "To: <jane@x.com>",
            "ERROR <jane@x.com>",
            "user Jane (jane@x.com)",
            "cfg.Mail <jane@x.com>",
            "\"\" <jane@x.com>",
        ] {
            assert_eq!(find(text), vec![("EMAIL".to_string(), "jane@x.com".to_string())], "in {text:?}");
        }
    }

    #[test]
    fn url_credentials() {
        one("fetch https://admin:s3cr3t@db.example.com/x", "CREDENTIALS", "admin:s3cr3t");
        one("redis://:hunter2@cache:6379/0", "CREDENTIALS", ":hunter2");
        // A user that is an address, its `@` left unescaped: the password up to the last `@` goes with it.
        one("smtp://noreply@example.de:Gl4s!x@smtp.example.de:587 x", "CREDENTIALS", "noreply@example.de:Gl4s!x");
        // An `@` after the authority is not the user's (`…/users/@jane`).
        one("https://u:p@host.example/users/@jane", "CREDENTIALS", "u:p");
        // No secret: git hosting's login, a password masked, empty, or a template's.
        none("upstream ssh://git@bitbucket.org/org/erp.git (push)");
        none("url=postgres://app:****@db.internal:5432/app; redis://:@cache:6379/2");
        none("connection_url=\"postgresql://{{username}}:{{password}}@pg.db.svc:5432/app\"");
        // An empty password: the user may be the key.
        one(
            "curl https://a1b2c3d4e5f60718293a4b5c6d7e8f90:@api.pingdom.com/api",
            "CREDENTIALS",
            "a1b2c3d4e5f60718293a4b5c6d7e8f90:",
        );
    }

    #[test]
    fn cards() {
        one("card 4111 1111 1111 1111 ok", "CARD", "4111 1111 1111 1111");
        one("card 4111-1111-1111-1111", "CARD", "4111-1111-1111-1111");
        one("amex 3782 822463 10005", "CARD", "3782 822463 10005");
        one("mc2 2223003122003222", "CARD", "2223003122003222");
        one("visa19 4111111111111111110", "CARD", "4111111111111111110");
        none("order 4111111111111112 failed");
        none("trace 4bf92f3577b34da6a3ce929d0e0e4736");
        // Glued to a word on the left: still a card, when the digits run alone to the right.
        one("card_4111111111111111 declined", "CARD", "4111111111111111");
        one("cc4111111111111111", "CARD", "4111111111111111");
        one("card-5555555555554444.", "CARD", "5555555555554444");
        assert_eq!(
            find("users/jane@example.com-4111111111111111"),
            vec![
                ("EMAIL".to_string(), "jane@example.com".to_string()),
                ("CARD".to_string(), "4111111111111111".to_string())
            ]
        );
        none("ORD-4111111111111112 sha 9f4111111111111111ab ts_1732873423000 v4111111111111111x");
        one("amex_378282246310005", "CARD", "378282246310005");
        none("licence U62928788557186");
        none("trace_id=99f2f1a1d547c1d6d172512758608802 span 0af172512758608802");
    }

    #[test]
    fn logins_of_openssh_before_the_client_address() {
        let users = |text: &str| {
            find(text).into_iter().filter(|(entity, _)| entity == "USERNAME").map(|(_, user)| user).collect::<Vec<_>>()
        };
        assert_eq!(
            users("sshd[4121]: Accepted publickey for anna.becker from 91.64.118.24 port 51234 ssh2"),
            ["anna.becker"]
        );
        assert_eq!(users("sshd[9]: Failed password for invalid user bob from 91.64.118.24 port 5 ssh2"), ["bob"]);
        assert_eq!(users("sshd[9]: Invalid user priya.patel from 91.64.118.24 port 50114"), ["priya.patel"]);
        assert_eq!(users("sshd[9]: Connection closed by authenticating user kwame 91.64.118.24 port 22"), ["kwame"]);
        assert_eq!(users("sshd[9]: Disconnected from user anna 91.64.118.24 port 22"), ["anna"]);
        // Other words before an address are no login.
        assert!(users("request for orders from 91.64.118.24 ok").is_empty());
        assert!(users("sshd[9]: Received disconnect from 91.64.118.24 port 22:11: Bye").is_empty());
        assert!(users("Failed to connect to user 91.64.118.24 port 22").is_empty());
        // Sudo's and PAM's, read at the key after them.
        assert_eq!(
            users("May 14 09:52:04 db1 sudo:   mkowalski : TTY=pts/0 ; PWD=/home/mkowalski ; USER=root"),
            // The login, and the home directory named after it.
            ["mkowalski", "mkowalski"]
        );
        assert_eq!(users("pam_unix(cron:session): session opened for user anna(uid=1001) by (uid=0)"), ["anna"]);
        assert!(users("job : TTY=pts/0 and list(uid=3) and sudo: x :TTY=1").is_empty());
        let pam = "sshd[4140]: pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= \
                   rhost=91.64.118.24  user=t.nguyen";
        assert_eq!(users(pam), ["t.nguyen"]);
        assert!(users("db connect user=app_rw host=db1").is_empty());
        // The accounts of the system or of a service are no one's (`[not_values.service_accounts]`).
        assert!(users("sudo:   deploy : TTY=pts/0 ; PWD=/home/deploy ; USER=root").is_empty());
        assert!(users("sshd[9]: Accepted publickey for root from 91.64.118.24 port 22 ssh2").is_empty());
    }

    #[test]
    fn the_word_lists_looked_up_by_binary_search_find_their_words_in_any_case() {
        // (`packed_words` checks the order and the bytes when it compiles the lists.)
        assert!(in_sorted(b"EUR", CURRENCY_CODES) && in_sorted(b"Took", QUANTITY_WORDS) && in_sorted(b"b", UNITS));
        // Codes count in capitals only, so that names and words (`Won`, `try`, `Ron`) are no currencies.
        assert!(names_a_currency(b"EUR") && names_a_currency(b"Euros") && names_a_currency(b"Rs"));
        assert!(!names_a_currency(b"try") && !names_a_currency(b"Won") && !names_a_currency(b"Lei"));
        assert!(!in_sorted(b"euros2", UNITS) && !in_sorted(b"", UNITS) && !in_sorted(b"eu", CURRENCY_CODES));
        assert!(!in_sorted(b"requestsx", UNITS) && in_sorted(b"requests", UNITS));
    }

    #[test]
    fn ssns() {
        one("ssn 460-89-9847", "SSN", "460-89-9847");
        one("SSN: 460899847", "SSN", "460899847");
        none("id 000-12-3456 and 666-12-3456 and 460899847");
    }

    #[test]
    fn ibans() {
        one("iban GB82 WEST 1234 5698 7654 32 thanks", "IBAN", "GB82 WEST 1234 5698 7654 32");
        one("iban GB82WEST12345698765432", "IBAN", "GB82WEST12345698765432");
        one("DE89370400440532013000", "IBAN", "DE89370400440532013000");
        one("to DE89-3704-0044-0532-0130-00.", "IBAN", "DE89-3704-0044-0532-0130-00");
        one("iban=GB82-WEST-1234-5698-7654-32 ok", "IBAN", "GB82-WEST-1234-5698-7654-32");
        // One separator all along: a dash after space-separated groups ends the IBAN short of its length.
        none("DE89 3704-0044-0532-0130-00");
        none("DE89-3704-0044-0532-0130-01");
        // The groups of a UUID: `be46-6dc1b8d6ff3e` reads BE466DC1B8D6FF3E, sixteen long with valid check digits.
        none("key b34dae1b-ded8-4caf-be46-6dc1b8d6ff3e replayed");
        // A span id of the length of a Belgian IBAN, whose check digits happen to be valid.
        none(r#"{"span_id":"be19aca45906a728"}"#);
        none("GB82WEST12345698765433");
    }

    #[test]
    fn ips_and_macs() {
        one("from 203.0.113.7:443 ok", "IP", "203.0.113.7");
        // Zero-padded to three digits a part; a reverse lookup's name; tcpdump's and pf's address and port.
        one("src=010.020.001.005|proto=TCP", "IP", "010.020.001.005");
        one("query: 7.113.0.203.in-addr.arpa IN PTR", "IP", "7.113.0.203");
        one("client @0x7f3a2c0e1b20 #39012 (7.113.0.203.in-addr.arpa): query", "IP", "7.113.0.203");
        let ip = |a: &str| ("IP".to_string(), a.to_string());
        assert_eq!(
            find("em0: 198.51.100.45.50422 > 192.0.2.25.23: Flags [S]"),
            vec![ip("198.51.100.45"), ip("192.0.2.25")]
        );
        assert_eq!(
            find("igb1: 2001:db8:77::5.443 > 2001:db8:1::20.61234: Flags"),
            vec![ip("2001:db8:77::5"), ip("2001:db8:1::20")]
        );
        none("build 1.2.3.4.5 done; 1.2.3.4.50422 seen; build 20-24-01-15-10-30-00-00 ok");
        // A token of more than four parts whose address ends the text has no port after it (a fuzzer's input
        // read past the end).
        none("0-0-4(8.8.8.8");
        one("query: 7.113.0.203.IN-ADDR.ARPA IN PTR", "IP", "7.113.0.203");
        assert_eq!(find("IP 10.0.0.5.52314 > 93.184.216.34.https: Flags"), vec![ip("10.0.0.5"), ip("93.184.216.34")]);
        // Netmasks and multicast groups name no host.
        none("option subnet_mask => '255.255.255.0'; SSDP from 239.255.255.250:1900; joined ff02::fb and 224.0.0.251");
        // A MAC with the leading zeros of its octets dropped, one before `: `, an EUI-64 written with dashes.
        one("router.lan at 0:1e:c2:7:4b:9 on en0", "MAC", "0:1e:c2:7:4b:9");
        one("failed connect to F4:4E:FD:21:9A:C7: Connection refused", "MAC", "F4:4E:FD:21:9A:C7");
        one("JoinRequest dev 70-B3-D5-7E-D0-05-A1-B3 RSSI", "MAC", "70-B3-D5-7E-D0-05-A1-B3");
        none("ratio 1:2:3:4:5:6 and 16:9; at 10:13:43:12");
        one("peer 2001:db8::8a2e:370:7334 up", "IP", "2001:db8::8a2e:370:7334");
        one("fe80::1ff:fe23:4567:890a", "IP", "fe80::1ff:fe23:4567:890a");
        one("mac 00:1a:2b:3c:4d:5e seen", "MAC", "00:1a:2b:3c:4d:5e");
        // A netfilter `MAC=`: destination, source and EtherType in one run.
        // After Markdown's `**`, an address is one (only `*` then `:` is the rest of a masked one).
        one("**Client:** **2001:db8::8a2e:370:7334** up", "IP", "2001:db8::8a2e:370:7334");
        none("from ****:*:****:****:****::6366 up; source=****:*:****:***7::6bf");
        let macs = find("[UFW BLOCK] IN=eth0 OUT= link 00:16:3e:5e:6c:00:52:54:00:12:35:02:08:00 SRC=x");
        let mac = |m: &str| ("MAC".to_string(), m.to_string());
        assert_eq!(macs, vec![mac("00:16:3e:5e:6c:00"), mac("52:54:00:12:35:02")]);
        none("link 00:16:3e:5e:6c:00:52:54:00:12:35:02:08 SRC=x");
        // Cisco's notation: three groups of four hex digits, whether the first starts with a letter or a digit.
        one("Host 000c.29ab.cdf4 in vlan 10 is flapping", "MAC", "000c.29ab.cdf4");
        one("mac-address a4c3.f0e2.11b9.", "MAC", "a4c3.f0e2.11b9");
        one("0050.56c0.0001 Gi1/0/1", "MAC", "0050.56c0.0001");
        // The kernel's link-layer header holds two, the broadcast destination none.
        one("ll header: 00000000: ff ff ff ff ff ff 52 54 00 9c 33 a1 08 00", "MAC", "52 54 00 9c 33 a1");
        assert_eq!(
            find("ll header: 00000000: 00 16 3e 5e 6c 00 52 54 00 12 35 02 08 00"),
            vec![mac("00 16 3e 5e 6c 00"), mac("52 54 00 12 35 02")]
        );
        // Not a build number without a hex letter, nor a part of a longer dotted name or of a longer group.
        none("version 2024.0312.1022 ok");
        none("a4c3.f0e2.11b9.example.com and x.a4c3.f0e2.11b9 and a4c3.f0e2.11b9a");
        none("at 10:13:43 version 10.0.19041.1 and 1.2.3");
        none("256.1.1.1");
        one("client (192.168.1.10) paid", "IP", "192.168.1.10");
        one("Connection from 203.0.113.9.", "IP", "203.0.113.9");
        one("blocked 203.0.113.9/32 now", "IP", "203.0.113.9");
        one("route 10.1.2.3/ 24", "IP", "10.1.2.3");
        none("host 10.0.0.1.example.net and a::b, dead::beef or ::");
        // Loopback and unspecified addresses name no one's machine.
        none("loopback ::1 and 127.0.0.1, listening on 0.0.0.0");
    }

    #[test]
    fn addresses_separated_by_a_space_are_each_an_address() {
        let ip = |a: &str| ("IP".to_string(), a.to_string());
        assert_eq!(find("peers 1.2.3.4 8.8.8.8 up"), vec![ip("1.2.3.4"), ip("8.8.8.8")]);
        assert_eq!(
            find("route 10.1.2.3 192.0.2.77/24 via 203.0.113.9"),
            vec![ip("10.1.2.3"), ip("192.0.2.77"), ip("203.0.113.9")]
        );
        one("bind 127.0.0.1 8.8.8.8", "IP", "8.8.8.8");
        one("client 203.0.113.9 - - [28/Jun/2025]", "IP", "203.0.113.9");
        one("from 203.0.113.9 1234 bytes", "IP", "203.0.113.9");
        // Dotted runs of more than four groups and French dotted phones read on as before, and four groups that
        // are no address (a leading zero) too.
        none("build 1.2.3.4.5 done");
        one("tel 06.12.34.56.78", "PHONE", "06.12.34.56.78");
        one("Tel. 06.12.34.56 78", "PHONE", "06.12.34.56 78");
    }

    #[test]
    fn an_opening_parenthesis_is_not_part_of_the_number_it_does_not_close() {
        one("paid with (4111111111111111)", "CARD", "4111111111111111");
        one("card:(5555-5555-5555-4444)", "CARD", "5555-5555-5555-4444");
        one("ssn (536-22-1234)", "SSN", "536-22-1234");
        one("(415) 555-2671", "PHONE", "(415) 555-2671");
    }

    #[test]
    fn phones() {
        one("call +44 20 7946 0958 now", "PHONE", "+44 20 7946 0958");
        one("(415) 555-2671", "PHONE", "(415) 555-2671");
        one("415.555.2671", "PHONE", "415.555.2671");
        one("+46 (0)8 928 571 38", "PHONE", "+46 (0)8 928 571 38");
        one("Fax: 345-899-3560x4587", "PHONE", "345-899-3560x4587");
        one("Phone:\n60-56-85-91\n", "PHONE", "60-56-85-91");
        one("020 7946 0958", "PHONE", "020 7946 0958");
        none("123-456-7890");
        // Brazil's area code in parentheses: a mobile (a 9 and eight digits) or a fixed line; not an area code
        // that Brazil lacks, nor a mobile without its 9.
        one("Podem me ligar no (11) 97712-4408?", "PHONE", "(11) 97712-4408");
        one("loja tel. (21) 3456-7890 aberta", "PHONE", "(21) 3456-7890");
        none("lote (10) 2345-6789 ok");
        none("item (11) 6345-6789 ok");
        none("range (21) 2020-2024 years, (27) 3000-4000 records");
        // A number listed after a phone is one too; the same number alone, or after something else, is not.
        let both = find("phone numbers: 60-56-85-91, 60-56-85-92 / 60568593 or 60 56 85 94; call");
        assert_eq!(both.len(), 4, "{both:?}");
        assert!(both.iter().all(|(entity, _)| entity == "PHONE"), "{both:?}");
        none("ids 60-56-85-91, 60-56-85-92");
        none("at 2026-11-29 10:13:43 took 1764412345 ms");
        none("count 123 456 789 rows");
        // Context words of the conversation: a person's own number, and the word for a phone in other languages.
        one("My new number is 31 42 55 67 and", "PHONE", "31 42 55 67");
        one("mein Handy 47 11 08 15 23", "PHONE", "47 11 08 15 23");
        one("mon téléphone: 42 55 67 31", "PHONE", "42 55 67 31");
        none("order number is 31 42 55 67");
    }

    #[test]
    fn context_words_do_not_make_times_quantities_or_dates_phones() {
        for text in [
            "api call took 1234567 ns",
            "registered 1732873423",
            "contact updated 1732873423000",
            "user registered at 2024 01 15",
            "sms queue size 1234567",
            "contact_id=1234567890",
            "call duration_us=1234567",
            "call me: 5957491 bytes",
            "contact 21792635-d809-41d8-acfc-270484448737 synced",
        ] {
            none(text);
        }
        one("call me at 5957491393", "PHONE", "5957491393");
        one("my mobile is 06 93 07 54 66", "PHONE", "06 93 07 54 66");
        one("sms me on 5957491 please", "PHONE", "5957491");
    }

    #[test]
    fn a_label_does_not_reach_into_the_value_of_the_field_before_it() {
        // The label of `ts_unix=` is not `edge-66sms ts_unix`: `66sms` is the value of `pod=`.
        none("has_more=true pod=edge-66sms ts_unix=1751673289");
        none("ref=sms47714194 heap_max=16757398");
        // Words that are no field's value still label the number after them, and a key still does.
        one("sms delivery failed to=+15957491393 status=401", "PHONE", "+15957491393");
        one("pod=edge-1 phone_no=5957491393", "PHONE", "5957491393");
        one("x=1 call me at tel: 5957491393", "PHONE", "5957491393");
    }

    #[test]
    fn secrets() {
        one("curl -H 'X: Bearer abcdefghijklmnop123'", "SECRET", "abcdefghijklmnop123");
        // The `authorization` key is classified as a secret: its value goes, the scheme stays readable.
        one("Authorization: Bearer abcdefghijklmnop123", "SECRET", "abcdefghijklmnop123");
        one(
            "Authorization: Bearer dG9rOjJhZTQ5NTcwLTNmODAtNDg2MC1iMDQ3LTNmODA=",
            "SECRET",
            "dG9rOjJhZTQ5NTcwLTNmODAtNDg2MC1iMDQ3LTNmODA=",
        );
        one("key=sk_live_abcdefghijklmnopqrstuvwx", "SECRET", "sk_live_abcdefghijklmnopqrstuvwx");
        one("aws AKIAIOSFODNN7EXAMPLE", "SECRET", "AKIAIOSFODNN7EXAMPLE");
        one(
            "jwt eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl end",
            "SECRET",
            "eyJhbGciOiJIUzI1NiJ9.eyJzdWIiOiIxIn0.c2lnbmF0dXJl",
        );
        none("the task desk is ok, eyJ and AKIA alone");
    }

    #[test]
    fn classified_keys_in_text() {
        one("user=jane name=\"Jane Doe\" level=info", "NAME", "Jane Doe");
        one("Name: Toshimi Arata", "NAME", "Toshimi Arata");
        one("password=hunter2 ok", "SECRET", "hunter2");
        none("level=info status=200 path=/v1/x");
        one("name=Jane Doe status=200", "NAME", "Jane Doe");
        one("name=Mary Ann Smith-Jones logged in", "NAME", "Mary Ann Smith-Jones");
        one("name=Jane Level=3", "NAME", "Jane");
        one("name=jane logged In", "NAME", "jane");
        // A comma before a capitalized word goes on: a name written last name first, an address.
        one("name=Doe, Jane status=200", "NAME", "Doe, Jane");
        one("Name: Doe, Jane", "NAME", "Doe, Jane");
        one("address: 12 Main St, Springfield, IL 62704", "LOCATION", "12 Main St, Springfield, IL 62704");
        one("name=Jane, level=3", "NAME", "Jane");
        one("Name: Jane, Status: ok", "NAME", "Jane");
        // A replacement is left as it is; a value that only starts like one is not.
        none("password=[REDACTED] email=\"[EMAIL:9f2c41]\" phones=[PHONE]");
        one("password=\"[hunter2]\"", "SECRET", "[hunter2]");
        one("password='[Secret:x]'", "SECRET", "[Secret:x]");
    }

    #[test]
    fn classified_keys_in_dumps_commands_and_sql() {
        // Django's QueryDict and Python reprs: the first string of a list, a string with a b/u prefix.
        one("<QueryDict: {'password': ['hunter2']}>", "SECRET", "hunter2");
        one("{'password': b'hunter2'}", "SECRET", "hunter2");
        one("{'name': u'Jane Doe'}", "NAME", "Jane Doe");
        // An apostrophe between letters is part of a name.
        one("name: Jane O'Brien", "NAME", "Jane O'Brien");
        one("name=Sean O'Connor logged in", "NAME", "Sean O'Connor");
        // SQL and INI: `key = 'value'`, and unquoted (`.properties`, `~/.aws/credentials`): code that assigns to a
        // classified name is redacted too, which fails closed; other keys stay.
        one("UPDATE users SET password = 'hunter2' WHERE id = 4", "SECRET", "hunter2");
        one("spring.datasource.password = hunter2prod", "SECRET", "hunter2prod");
        assert_eq!(find("let name = value; name = other").len(), 2);
        none("let x = value; timeout = 30");
        // Command-line flags and the shipped wildcard keys.
        one("mysqldump --password=hunter2 db", "SECRET", "hunter2");
        one("DB_PASSWORD=hunter2", "SECRET", "hunter2");
        one("X-Auth-Token: abcdef1234567890", "SECRET", "abcdef1234567890");
        one("JSESSIONID=abc123", "SECRET", "abc123");
        none("tokens=5 token_count=7 max_tokens=100");
        // PostgreSQL's unique violation: `Key (column)=(value)`.
        one("DETAIL:  Key (ssn)=(536221234) already exists.", "SSN", "536221234");
        none("f(x)=(1) run(cmd)=ok");
        // Ruby's hash rocket, a form field's brackets, a list of bare values.
        one(r#"params: {"user"=>{"password"=>"hunter2"}}"#, "SECRET", "hunter2");
        one("GET /u?user[password]=hunter2&x=1", "SECRET", "hunter2");
        one("phones=[4155552671,4155552672] ok", "PHONE", "4155552671,4155552672");
        none("email=[EMAIL]&page=2 token=[SECRET:9f2c41] phones=[PHONE] from [IP]:16359");
        none("a[0]=5 arr[i]=x");
        // A name's words go on; a protocol after a query string's last value is no part of it.
        one("GET /x?token=abcdef123456 HTTP/1.1", "SECRET", "abcdef123456");
        one("name=J. R. Tolkien logged", "NAME", "J. R. Tolkien");
        // Every cookie of a cookie header, and XML elements named by a classified key.
        one("Cookie: theme=dark; sid=9f8e7d6c5b4a", "SECRET", "theme=dark; sid=9f8e7d6c5b4a");
        one("set-cookie: a=b; Path=/", "SECRET", "a=b; Path=/");
        one("<user><password>hunter2</password></user>", "SECRET", "hunter2");
        one("<soap:Body><ns:Email type=\"work\">jane.doe@example.com</ns:Email>", "EMAIL", "jane.doe@example.com");
        none("<p>hello</p><password/><name></name><b>x</i>");
        // JSON escaped inside a string, or escaped twice.
        one(r#"payload="{\"password\":\"hunter2\",\"n\":1}" ok"#, "SECRET", "hunter2");
        one(r#"{\"user\": {\"email\": \"not-an-address\"}}"#, "EMAIL", "not-an-address");
        none(r#"{\"level\":\"info\"} x\"password\":1 \\"#);
        // Coordinates and the signatures of pre-signed URLs.
        one("lat=48.8566 status=ok", "LOCATION", "48.8566");
        one("geoLongitude: 2.3522", "LOCATION", "2.3522");
        one(
            "GET /o?X-Amz-Date=20250101T000000Z&X-Amz-Signature=aeeed9bbccd4d02e HTTP/1.1",
            "SECRET",
            "aeeed9bbccd4d02e",
        );
        one("?sv=2021-06-08&sig=abcDEF123%2Bxyz%3D", "SECRET", "abcDEF123%2Bxyz%3D");
        none("signature_version=4 latency=12 long_poll=true");
    }

    #[test]
    fn passwords_on_command_lines() {
        // Basic authentication after curl's (or wget's, httpie's) `-u`, `--user`, `--user=`, in quotes or not.
        one("run: curl -u alice:s3cretPW https://api.example.com", "SECRET", "alice:s3cretPW");
        one("curl -s --user 'bob:hunter2 x' -X POST https://x", "SECRET", "bob:hunter2 x");
        one("curl --user=carol:pw123 https://x", "SECRET", "carol:pw123");
        one("curl -ualice:pw https://x", "SECRET", "alice:pw");
        one(r#"cmd="curl -u "dan:pw" https://x""#, "SECRET", "dan:pw");
        // No user:password after the flag, or a flag that is not one (`menu:`, `-user:`).
        none("mysql -u root -p shop; ssh -u admin host; a-u b:c; menu:open --user: x");
        // The values of flags that take a password, up to the end of the command.
        one("mysqldump -u root -phunter2 shop > dump.sql", "SECRET", "hunter2");
        one("sshpass -p 'S3cr3t!' ssh deploy", "SECRET", "S3cr3t!");
        one("sshpass -pS3cr3t ssh deploy", "SECRET", "S3cr3t");
        none("mysql -h db -P 3306 -p shop | tee -phunter2; mysqlx -p");
        // Other commands' flags, read back from the flag to the command (see `commands`), also in a JSON string.
        one("$ docker login -u deploy -p tRIhBqAmk^02 registry.example.com", "SECRET", "tRIhBqAmk^02");
        one("redis-cli -h cache.internal -a velvet-sparrow-91 INFO", "SECRET", "velvet-sparrow-91");
        one("echo 'K35tr3lw4lnut^2' | sudo -S systemctl restart nginx", "SECRET", "K35tr3lw4lnut^2");
        one(r#"{"cmd":"openssl enc -aes-256-cbc -k Ember5392* -in s.tar"}"#, "SECRET", "Ember5392*");
        none("docker run -p 8080:80 -e MODE=prod nginx; ssh -p 2222 host; docker login -p $REGISTRY_PASSWORD");
        // Not a flag of one dash in prose or in a usage line.
        none("error: -password must be provided; see -token below; usage: tool [-password password]");
        // SQL statements that set a password.
        one("LOG:  statement: ALTER USER app_user WITH PASSWORD 'n3wP@ssw0rd!'", "SECRET", "n3wP@ssw0rd!");
        one("CREATE USER 'app'@'%' IDENTIFIED BY 'it''s-s3cret';", "SECRET", "it''s-s3cret");
        one("SET PASSWORD FOR 'app'@'%' = PASSWORD('hunter2')", "SECRET", "hunter2");
        one("CREATE ROLE x LOGIN PASSWORD 'abc' VALID UNTIL 'infinity'", "SECRET", "abc");
        one(r"CREATE USER u IDENTIFIED BY 'abc\'def';", "SECRET", r"abc\'def");
        one("CREATE USER u IDENTIFIED WITH caching_sha2_password BY 'hunter2'", "SECRET", "hunter2");
        none("ALTER USER u IDENTIFIED WITH auth_socket");
        one("ALTER ROLE x PASSWORD 'cut off", "SECRET", "cut off");
        none("password authentication failed; PASSWORD_RESET 'x'; password '' set; PASSWORD'x'");
        // A replacement after a scheme and a hash token's entity are no values (replaced values in commands and URL
        // credentials are found, and left as they are by the engine: `replacements_are_never_replaced_again`).
        none("Authorization: Bearer [REDACTED] ok; x [SECRET:9f2c41] y");
    }

    #[test]
    fn webhook_urls_keep_their_host() {
        let slack = "https://hooks.slack.com/services/T024BE7LD/B01ABCDEF12/abcdefghijklmnopqrstuvwx";
        one(slack, "SECRET", "T024BE7LD/B01ABCDEF12/abcdefghijklmnopqrstuvwx");
        let discord = "POST https://discord.com/api/webhooks/1234567890/AbCdEfGhIjKlMnOpQrStUv 204";
        one(discord, "SECRET", "1234567890/AbCdEfGhIjKlMnOpQrStUv");
        none("see https://slack.com/services/new for setup; slack.com/services/x");
    }

    #[test]
    fn seconds_of_a_time_are_no_phone_even_under_a_phone_key() {
        let phone_key = ScanContext::default().with(ScanContext::PHONE_KEY, true);
        for stamp in ["2025-11-29T14:26:36.250-05:00", "2025-11-29 14:26:36.123456+01:00", "at 14:26:36.9-0530"] {
            assert_eq!(find_with(stamp, phone_key), vec![], "{stamp}");
        }
        // A label's colon still counts, and the number after it is a phone under a phone key.
        assert_eq!(find_with("tel:4155552671", ScanContext::default()).len(), 1);
        assert_eq!(find_with("a:12345678", phone_key).len(), 1);
    }

    #[test]
    fn findings_never_overlap() {
        let found = find("mail jane@example.com and jane@example.com");
        assert_eq!(found.len(), 2);
    }

    #[test]
    fn a_number_after_a_fields_label_in_prose_is_that_fields() {
        for (text, value) in [
            ("Proszę o zwrot, PESEL 82061173514. Dziękuję", "82061173514"),
            ("Por favor, DNI 48213957T; os escribo", "48213957T"),
            ("Palautus (hetu 140387-234E) tilille", "140387-234E"),
            ("meine Steuer-ID ist 47 315 982 646, danke", "47 315 982 646"),
            ("Mon numéro de sécurité sociale est 2 86 05 44 109 221 11, merci", "2 86 05 44 109 221 11"),
            ("Refund, PPS 2391845UA, living at", "2391845UA"),
            ("TAJ-számom 037 182 540, születési", "037 182 540"),
            ("Refund, TFN 459 183 726 and", "459 183 726"),
            ("og fødselsnummeret mitt er 23059140035. Kan", "23059140035"),
            ("Customer called, CPR 120584-1241 — please verify", "120584-1241"),
            ("ΑΜΚΑ 12037802464 τώρα", "12037802464"),
            ("his NINO AB123456C was", "AB123456C"),
        ] {
            one(text, "NATIONAL_ID", value);
        }
    }

    #[test]
    fn a_label_in_capitals_counts_only_in_capitals_and_quantities_are_no_ids() {
        // The Polish `nie` (not) is no Spanish NIE; a time after a label is no id; nor is a short number.
        none("Zamówienie nie dotarło 123456789 razy");
        none("passport check took 1234567 ms");
        none("passport check 12345 done");
        // The label must stand right before the number, or past a short word or two.
        none("passport check 1234567 done");
        none("Updated passport service to 2.14.1234567");
        none("Medicare claim 12345678 processed");
        none("NHS trust 1234567 synced");
        // A label in another clause does not reach the number.
        none("PESEL missing; order 82061173514 shipped");
    }

    #[test]
    fn phone_and_birth_words_of_more_languages() {
        one("si no estoy, llamad a Javier al 655 555 219", "PHONE", "655 555 219");
        one("ja puhelinnumero 040 555 2184.", "PHONE", "040 555 2184");
        one("Καλησπέρα, τηλ. 694 555 1278.", "PHONE", "694 555 1278");
        one("Ring gerne på 28 55 61 78.", "PHONE", "28 55 61 78");
        // Words of more languages and scripts, some written right before the number.
        one("zadzwońcie do mnie pod 512 345 678, chodzi o", "PHONE", "512 345 678");
        one("מספר הטלפון של המטופל 054-123-4567, לחזור", "PHONE", "054-123-4567");
        one("ถึงแล้วโทรหา 089-123-4567 นะคะ", "PHONE", "089-123-4567");
        // A word inside a longer word of its script is not that word, nor is a number of an order after a
        // person's "my number", a word whose first sense is another, or a word across a clause's end.
        for clean in [
            "Пользователь 12345678 вошёл в систему",
            "Téléchargement de la facture 123456789",
            "ligação recusada pelo servidor 12345678",
            "التوقيع الرقمي 123456789",
            "โทรทัศน์ รหัสสินค้า 123456789",
            "关联系统订单号 123456789",
            "联系人：张三，订单号：123456789",
            "Пользователь: 12345678",
            "关联系统: 123456789",
            "هاتف العميل غير متوفر، رقم الطلب 123456789",
            "mi número de pedido es 123456789",
            "callback 12345678 timed out",
            "precio fijo 1500000 COP",
            "Cel: 1500000 zł",
        ] {
            none(clean);
        }
        one("il numero nuovo e 3478124409 scrivetemi", "PHONE", "3478124409");
        one("ถึงแล้วโทร 081-234-5678 ค่ะ", "PHONE", "081-234-5678");
        one("新电话139 1702 8855", "PHONE", "139 1702 8855");
        one("मोबाइल 99580 21447, धन्यवाद", "PHONE", "99580 21447");
        one("Позвоните мне 8 912 345-67-89", "PHONE", "8 912 345-67-89");
        one("тел.: 912 345-67-89", "PHONE", "912 345-67-89");
        one("電話：090-3318-7724", "PHONE", "090-3318-7724");
        // A word of a cased script counts capitalized too, and the window before a number holds 40 characters,
        // not 40 bytes (a Greek letter takes two).
        one("Κινητό: 6971234567", "PHONE", "6971234567");
        one("Τηλέφωνο επικοινωνίας 694 123 4567, κουδούνι", "PHONE", "694 123 4567");
        // E.164 without its `+` under a key that holds one, when a country code and its plan confirm it; not
        // unix times, dates and offsets under the same keys, nor a number under another key.
        one("vonage inbound to=447418343012 messageId=0B00", "PHONE", "447418343012");
        one("cdr: a_number=441614960123 cause=16", "PHONE", "441614960123");
        one("NAD+DP+++Femke Bakker'COM+0612345678:TE'UNT+7+1'", "PHONE", "0612345678");
        one("x {\"Dst\":\"254712345678\"}", "PHONE", "254712345678");
        for clean in [
            "range from=1715508912345 to=1715508999999",
            "from=20240512103312 to=20240512113312",
            "page from=10000000000 to=20000000000",
            "invoice=447418343012 ok",
            "sent to 447418343012 items",
        ] {
            none(clean);
        }
        // A key whose own last part is `id` (WhatsApp's `wa_id`, here in a path with an index), a vCard property
        // with parameters (labeled by its name, not by the last parameter's value) and IATA's contact element; but
        // not a key that ends in an id or a time after a word for a phone.
        one("wa-webhook contacts[0].wa_id=573101234567 profile", "PHONE", "573101234567");
        // (The card's full name, after `FN:`, is read by its given name.)
        let card = "FN:Ioana Popescu TEL;TYPE=WORK,VOICE:021 312 3456 END:VCARD";
        let expected =
            [("NAME", "Ioana Popescu"), ("PHONE", "021 312 3456")].map(|(e, v)| (e.to_string(), v.to_string()));
        assert_eq!(find(card), expected);
        one("PNR K7XQ2L SSR CTCM LH HK1/4917612345678/DE", "PHONE", "4917612345678");
        // Spain's three-two-two-two needs a word: the shape alone reads as other numbers too.
        none("queue depth 712 45 67 89 ok");
        none("sync phone_id=573101234567 ok");
        none("sms contacted_at=5731012345 ok");
        none("ADR;TYPE=WORK:12345678 Main St");
        // Asking to be called after the number, in Persian and Hindi; contact me, in Arabic.
        one("لطفا با شماره 09121234567 تماس بگیرید", "PHONE", "09121234567");
        one("डिलीवरी से पहले 91234 56789 पर फोन कर देना", "PHONE", "91234 56789");
        one("تواصل معي على الرقم 0501234567 بعد المغرب", "PHONE", "0501234567");
        none("پرداخت با شماره پیگیری 123456789 انجام شد");
        // Not a Brazilian postcode after `CEP`, nor a number after a word that only means "number".
        none("CEP 01304-001, São Paulo");
        none("numero d'ordine 31425567");
        none("hp 1234567 ram");
        one("Baja del servicio | Nací el 07/08/1975, por si", "PERSONAL", "07/08/1975");
        one("kai gennithika 03/04/1989, kanonika", "PERSONAL", "03/04/1989");
        one("születési dátumom 1985.09.12.", "PERSONAL", "1985.09.12");
        none("ring buffer 1234567 entries");
    }

    #[test]
    fn a_password_shaped_word_after_a_password_word_in_prose_is_a_secret() {
        one("hab mein Passwort jetzt auf Hamburg#1987 geändert", "SECRET", "Hamburg#1987");
        one("et le mot de passe Soleil2024! ne passe pas", "SECRET", "Soleil2024!");
        one("og koden jeg brugte var Hygge!2023, men den", "SECRET", "Hygge!2023");
        one("parola mea temporară e Dracula!77 și tot", "SECRET", "Dracula!77");
        one("Passwort: Hamburg#1987", "SECRET", "Hamburg#1987");
        one("password Soleil2024", "SECRET", "Soleil2024");
        // A label of several words before its colon, and a colon set off by a space as French writes it.
        one("mon mot de passe : Paprika7332* ne fonctionne plus", "SECRET", "Paprika7332*");
        one("mon mot de passe: Paprika7332* ne fonctionne plus", "SECRET", "Paprika7332*");
        one("the password : Soleil2024", "SECRET", "Soleil2024");
        // Glued to a label in a script written without spaces, up to the next character of that script.
        one("お客様: ログインできません。パスワードはvrdxNTwbGS^62です。", "SECRET", "vrdxNTwbGS^62");
        one("客户：我的密码是PqX8MvuOF~51，请帮我看看", "SECRET", "PqX8MvuOF~51");
        none("密码是什么? 密码是abc 密码是SHA256加密的 手机App下载次数 12345678");
        one("密码是什么？密码是Abc12345", "SECRET", "Abc12345");
        // Not a product and its version, a word without a digit or mark, or a time.
        none("password reset sent via Mozilla/5.0 Chrome/131.0 Windows10");
        // Not an account, a file, a path, or an identifier after a password word.
        none("password reset for user Johnson2024 done");
        none("password for Jenkins2 failed");
        none("the password of AdminUser_01 expired");
        none("passwd Config.yaml missing");
        none("pwd /srv/Users2023");
        none("password reset for Hamburg office");
        none("your password expires in 12345678 seconds");
        // Without a password word, a word so shaped is no secret.
        none("deployed Release2024 to Hamburg#1");
    }

    #[test]
    fn the_birth_words_are_the_labels_of_date_of_births_entry() {
        let own = "[[fields]]\ncategory = \"personal\"\nentity = \"PERSONAL\"\npaths = [\"date_of_birth\"]\nlabels = [\"zrodzony\"]\n";
        let rules = crate::rules::compile_sources(&[crate::rules::RulesText::new("own.toml", own)]).expect("compiles");
        let found = |text: &str| find_under(&rules, text, ScanContext::default());
        assert_eq!(found("zrodzony 14.07.1986 w Krakowie"), [("PERSONAL".to_string(), "14.07.1986".to_string())]);
        // The shipped words belong to the shipped entry, which this one overrides for `date_of_birth`.
        assert_eq!(found("born 14.07.1986 in Cork"), vec![]);
        one("born 14.07.1986 in Cork", "PERSONAL", "14.07.1986");
    }
}
