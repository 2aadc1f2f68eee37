//! Proxy settings: the TOML file and CLI flags, parsed once into trusted types.

use std::fmt;
use std::net::{SocketAddr, ToSocketAddrs};
use std::path::PathBuf;
use std::str::FromStr;
use std::time::Duration;

use serde::Deserialize;

use crate::admin::auth::{Scope, TokenSet};
use crate::proxy::tls::TlsFiles;

/// Default client listener.
pub const DEFAULT_LISTEN: &str = "127.0.0.1:5170";
/// Default admin listener.
pub const DEFAULT_ADMIN: &str = "127.0.0.1:5171";

/// Everything the proxy needs, validated.
#[derive(Debug, Clone)]
pub struct ProxyConfig {
    pub listeners: Vec<ListenAddr>,
    pub forward: ForwardTarget,
    /// `None` disables the admin server.
    pub admin: Option<SocketAddr>,
    pub rule_dirs: Vec<PathBuf>,
    pub policy: Policy,
    pub limits: Limits,
    pub spool: Option<SpoolConfig>,
    pub file_rotation: FileRotation,
    pub downstream: DownstreamConfig,
    pub drain_timeout: Duration,
    pub workers: usize,
    pub admin_tokens: TokenSet,
    /// Serve `/metrics` without a token (it holds only counts).
    pub public_metrics: bool,
    /// Certificate and key for the listeners marked `/tls`.
    pub tls: Option<TlsFiles>,
}

/// A client listener: an address and how connections on it are framed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ListenAddr {
    pub addr: SocketAddr,
    pub framing: Framing,
    /// Clients must speak TLS (`HOST:PORT/tls`).
    pub tls: bool,
}

/// How records are delimited on a client connection.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Framing {
    /// Per connection: a first byte that is a digit means octet counting, anything else newlines.
    #[default]
    Auto,
    /// Records end with LF.
    Newline,
    /// RFC 6587 octet counting: `MSG-LEN SP MSG`.
    OctetCounting,
}

/// Where redacted lines go.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ForwardTarget {
    /// A TCP endpoint, newline framing; `host:port` is resolved at each connect.
    Tcp(String),
    /// A file, rotated by size.
    File(PathBuf),
    Stdout,
}

/// What happens when the memory buffer is full.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Policy {
    /// Stop reading from clients (TCP backpressure); nothing is dropped.
    #[default]
    Block,
    /// Drop the new lines and count them; clients are never slowed.
    DropNewest,
    /// Move buffered lines to the disk spool; block when the spool is full too.
    Spool,
}

/// Resource limits.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    pub max_connections: usize,
    pub max_line_bytes: usize,
    pub idle_timeout: Duration,
    /// Bytes of lines in flight and waiting for the downstream (the bounded memory buffer).
    pub buffer_bytes: usize,
    /// Bytes read from a connection at a time (and the largest batch).
    pub read_chunk_bytes: usize,
}

/// When the spool calls `fsync`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum FsyncPolicy {
    /// Never; the OS writes back (a machine crash may lose the last seconds of spool).
    Never,
    /// When a segment is full and closed, and on shutdown.
    #[default]
    Segment,
    /// After every batch appended (slow; survives a machine crash with at most one batch lost).
    Always,
}

/// The disk spool.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SpoolConfig {
    pub dir: PathBuf,
    pub max_bytes: u64,
    pub segment_bytes: u64,
    pub fsync: FsyncPolicy,
}

/// Size rotation for `file:` targets.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FileRotation {
    pub max_bytes: u64,
    pub keep: usize,
}

/// TCP downstream reconnects.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DownstreamConfig {
    pub connect_timeout: Duration,
    pub backoff_initial: Duration,
    pub backoff_max: Duration,
}

/// A setting that cannot be used.
#[derive(Debug, thiserror::Error)]
pub enum ConfigError {
    #[error("cannot read the config file {path}: {source}; check the path given to --config")]
    Read { path: PathBuf, source: std::io::Error },
    #[error("invalid config file {path}: {message}")]
    Parse { path: PathBuf, message: String },
    #[error("invalid listen address `{0}`: use HOST:PORT, optionally followed by /FRAMING (auto, newline, octet-counting) and /tls")]
    Listen(String),
    #[error("invalid forward target `{0}`: use tcp://HOST:PORT, file:PATH or stdout")]
    Forward(String),
    #[error("invalid admin address `{0}`: use HOST:PORT, or `off`")]
    Admin(String),
    #[error("policy `spool` needs a spool directory: set [spool] dir in the config or --spool-dir")]
    SpoolWithoutDir,
    #[error("invalid limit: {0}")]
    Limit(String),
    #[error("listener {0} asks for TLS: set [tls] cert_file and key_file in the config, or --tls-cert and --tls-key")]
    TlsWithoutCert(String),
    #[error("admin token `{name}`: {message}")]
    Token { name: String, message: String },
}

impl Default for Limits {
    fn default() -> Limits {
        Limits {
            max_connections: 1024,
            max_line_bytes: 64 * 1024,
            idle_timeout: Duration::from_secs(300),
            buffer_bytes: 8 * 1024 * 1024,
            read_chunk_bytes: 64 * 1024,
        }
    }
}

impl Default for FileRotation {
    fn default() -> FileRotation {
        FileRotation { max_bytes: 256 * 1024 * 1024, keep: 5 }
    }
}

impl Default for DownstreamConfig {
    fn default() -> DownstreamConfig {
        DownstreamConfig {
            connect_timeout: Duration::from_secs(5),
            backoff_initial: Duration::from_millis(100),
            backoff_max: Duration::from_secs(5),
        }
    }
}

impl Default for ProxyConfig {
    fn default() -> ProxyConfig {
        ProxyConfig {
            listeners: vec![ListenAddr {
                addr: SocketAddr::from(([127, 0, 0, 1], 5170)),
                framing: Framing::Auto,
                tls: false,
            }],
            forward: ForwardTarget::Stdout,
            admin: Some(SocketAddr::from(([127, 0, 0, 1], 5171))),
            rule_dirs: Vec::new(),
            policy: Policy::Block,
            limits: Limits::default(),
            spool: None,
            file_rotation: FileRotation::default(),
            downstream: DownstreamConfig::default(),
            drain_timeout: Duration::from_secs(30),
            workers: default_workers(),
            admin_tokens: TokenSet::default(),
            public_metrics: true,
            tls: None,
        }
    }
}

/// One worker per core.
pub fn default_workers() -> usize {
    std::thread::available_parallelism().map(|n| n.get()).unwrap_or(2)
}

impl FromStr for Framing {
    type Err = ();
    fn from_str(s: &str) -> Result<Framing, ()> {
        match s {
            "auto" => Ok(Framing::Auto),
            "newline" => Ok(Framing::Newline),
            "octet-counting" | "octet" => Ok(Framing::OctetCounting),
            _ => Err(()),
        }
    }
}

impl FromStr for ListenAddr {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<ListenAddr, ConfigError> {
        let bad = || ConfigError::Listen(s.to_string());
        let mut parts = s.split('/');
        let host_port = parts.next().ok_or_else(bad)?;
        let mut framing = Framing::Auto;
        let mut tls = false;
        for part in parts {
            match part {
                "tls" => tls = true,
                other => framing = other.parse().map_err(|_| bad())?,
            }
        }
        let addr = resolve_one(host_port).ok_or_else(bad)?;
        Ok(ListenAddr { addr, framing, tls })
    }
}

impl fmt::Display for ListenAddr {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let framing = match self.framing {
            Framing::Auto => "auto",
            Framing::Newline => "newline",
            Framing::OctetCounting => "octet-counting",
        };
        write!(f, "{}/{}", self.addr, framing)?;
        match self.tls {
            true => write!(f, "/tls"),
            false => Ok(()),
        }
    }
}

impl FromStr for ForwardTarget {
    type Err = ConfigError;
    fn from_str(s: &str) -> Result<ForwardTarget, ConfigError> {
        if s == "stdout" || s == "-" {
            return Ok(ForwardTarget::Stdout);
        }
        if let Some(rest) = s.strip_prefix("tcp://") {
            let valid =
                rest.rsplit_once(':').is_some_and(|(host, port)| !host.is_empty() && port.parse::<u16>().is_ok());
            return match valid {
                true => Ok(ForwardTarget::Tcp(rest.to_string())),
                false => Err(ConfigError::Forward(s.to_string())),
            };
        }
        if let Some(path) = s.strip_prefix("file:") {
            return match path.is_empty() {
                true => Err(ConfigError::Forward(s.to_string())),
                false => Ok(ForwardTarget::File(PathBuf::from(path))),
            };
        }
        Err(ConfigError::Forward(s.to_string()))
    }
}

impl fmt::Display for ForwardTarget {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            ForwardTarget::Tcp(hp) => write!(f, "tcp://{hp}"),
            ForwardTarget::File(p) => write!(f, "file:{}", p.display()),
            ForwardTarget::Stdout => write!(f, "stdout"),
        }
    }
}

fn resolve_one(host_port: &str) -> Option<SocketAddr> {
    host_port.to_socket_addrs().ok()?.next()
}

/// The config file as written (all optional).
#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConfigFile {
    pub listen: Option<Vec<String>>,
    pub forward: Option<String>,
    pub admin: Option<String>,
    pub rules: Option<Vec<PathBuf>>,
    pub policy: Option<Policy>,
    pub workers: Option<usize>,
    pub drain_timeout_secs: Option<u64>,
    #[serde(default)]
    pub limits: LimitsFile,
    pub spool: Option<SpoolFile>,
    #[serde(default)]
    pub file: FileFile,
    #[serde(default)]
    pub downstream: DownstreamFile,
    #[serde(default)]
    pub admin_api: AdminFile,
    pub tls: Option<TlsFile>,
    /// The Intercom settings of the same file (read by the compliance side and `steward doctor`).
    pub intercom: Option<crate::intercom::IntercomSection>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TlsFile {
    pub cert_file: PathBuf,
    pub key_file: PathBuf,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct LimitsFile {
    pub max_connections: Option<usize>,
    pub max_line_bytes: Option<usize>,
    pub idle_timeout_secs: Option<u64>,
    pub buffer_bytes: Option<usize>,
    pub read_chunk_bytes: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct SpoolFile {
    pub dir: Option<PathBuf>,
    pub max_bytes: Option<u64>,
    pub segment_bytes: Option<u64>,
    pub fsync: Option<FsyncPolicy>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct FileFile {
    pub max_bytes: Option<u64>,
    pub keep: Option<usize>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct DownstreamFile {
    pub connect_timeout_ms: Option<u64>,
    pub backoff_initial_ms: Option<u64>,
    pub backoff_max_ms: Option<u64>,
}

#[derive(Debug, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AdminFile {
    pub public_metrics: Option<bool>,
    #[serde(default)]
    pub tokens: Vec<TokenFile>,
}

/// A token entry: the secret comes from `token` or from the environment variable `token_env`.
#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
pub struct TokenFile {
    pub name: String,
    pub scope: Scope,
    pub token: Option<String>,
    pub token_env: Option<String>,
}

impl fmt::Debug for TokenFile {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("TokenFile")
            .field("name", &self.name)
            .field("scope", &self.scope)
            .field("token", &"****")
            .field("token_env", &self.token_env)
            .finish()
    }
}

/// What the command line adds on top of the file (flags win).
#[derive(Debug, Default, Clone)]
pub struct Overrides {
    pub listen: Vec<String>,
    pub forward: Option<String>,
    pub admin: Option<String>,
    pub rules: Vec<PathBuf>,
    pub policy: Option<Policy>,
    pub spool_dir: Option<PathBuf>,
    pub tls_cert: Option<PathBuf>,
    pub tls_key: Option<PathBuf>,
}

impl ConfigFile {
    /// Reads and parses a TOML config file.
    pub fn read(path: &std::path::Path) -> Result<ConfigFile, ConfigError> {
        let text =
            std::fs::read_to_string(path).map_err(|source| ConfigError::Read { path: path.to_path_buf(), source })?;
        ConfigFile::parse(&text, path)
    }

    /// Parses TOML text (`path` is only for the error message).
    pub fn parse(text: &str, path: &std::path::Path) -> Result<ConfigFile, ConfigError> {
        toml::from_str(text)
            .map_err(|e| ConfigError::Parse { path: path.to_path_buf(), message: e.message().to_string() })
    }

    /// Merges the file with the command line and validates everything.
    pub fn resolve(self, flags: Overrides) -> Result<ProxyConfig, ConfigError> {
        let defaults = ProxyConfig::default();
        let listen_strings = match (flags.listen.is_empty(), self.listen) {
            (false, _) => flags.listen,
            (true, Some(l)) => l,
            (true, None) => vec![DEFAULT_LISTEN.to_string()],
        };
        let listeners = listen_strings.iter().map(|s| s.parse()).collect::<Result<Vec<ListenAddr>, _>>()?;
        let forward = match flags.forward.or(self.forward) {
            Some(s) => s.parse()?,
            None => ForwardTarget::Stdout,
        };
        let admin = match flags.admin.or(self.admin).unwrap_or_else(|| DEFAULT_ADMIN.to_string()) {
            s if s == "off" => None,
            s => Some(resolve_one(&s).ok_or(ConfigError::Admin(s))?),
        };
        let rule_dirs = match flags.rules.is_empty() {
            false => flags.rules,
            true => self.rules.unwrap_or_default(),
        };
        let policy = flags.policy.or(self.policy).unwrap_or_default();
        let tls = match (flags.tls_cert, flags.tls_key, self.tls) {
            (Some(cert_file), Some(key_file), _) => Some(TlsFiles { cert_file, key_file }),
            (None, None, Some(t)) => Some(TlsFiles { cert_file: t.cert_file, key_file: t.key_file }),
            _ => None,
        };
        if let Some(l) = listeners.iter().find(|l| l.tls) {
            if tls.is_none() {
                return Err(ConfigError::TlsWithoutCert(l.to_string()));
            }
        }
        let d = Limits::default();
        let limits = Limits {
            max_connections: self.limits.max_connections.unwrap_or(d.max_connections),
            max_line_bytes: self.limits.max_line_bytes.unwrap_or(d.max_line_bytes),
            idle_timeout: self.limits.idle_timeout_secs.map(Duration::from_secs).unwrap_or(d.idle_timeout),
            buffer_bytes: self.limits.buffer_bytes.unwrap_or(d.buffer_bytes),
            read_chunk_bytes: self.limits.read_chunk_bytes.unwrap_or(d.read_chunk_bytes),
        };
        if limits.max_connections == 0 {
            return Err(ConfigError::Limit("max_connections must be at least 1".into()));
        }
        if limits.max_line_bytes < 64 || limits.max_line_bytes > 16 * 1024 * 1024 {
            return Err(ConfigError::Limit("max_line_bytes must be between 64 and 16777216".into()));
        }
        if limits.read_chunk_bytes < 4096 || limits.read_chunk_bytes > 16 * 1024 * 1024 {
            return Err(ConfigError::Limit("read_chunk_bytes must be between 4096 and 16777216".into()));
        }
        if limits.buffer_bytes < 2 * limits.read_chunk_bytes {
            return Err(ConfigError::Limit("buffer_bytes must be at least twice read_chunk_bytes".into()));
        }
        let spool_file = self.spool.unwrap_or_default();
        let spool_dir = flags.spool_dir.or(spool_file.dir);
        let spool = spool_dir.map(|dir| SpoolConfig {
            dir,
            max_bytes: spool_file.max_bytes.unwrap_or(1024 * 1024 * 1024),
            segment_bytes: spool_file.segment_bytes.unwrap_or(64 * 1024 * 1024),
            fsync: spool_file.fsync.unwrap_or_default(),
        });
        if policy == Policy::Spool && spool.is_none() {
            return Err(ConfigError::SpoolWithoutDir);
        }
        let fr = FileRotation::default();
        let dd = DownstreamConfig::default();
        let ms = Duration::from_millis;
        let mut tokens = TokenSet::default();
        for entry in self.admin_api.tokens {
            let secret = match (entry.token, &entry.token_env) {
                (Some(t), None) => t,
                (None, Some(var)) => std::env::var(var).map_err(|_| ConfigError::Token {
                    name: entry.name.clone(),
                    message: format!("the environment variable {var} is not set; export it"),
                })?,
                _ => {
                    return Err(ConfigError::Token {
                        name: entry.name.clone(),
                        message: "give exactly one of `token` or `token_env`".into(),
                    })
                }
            };
            tokens
                .add(&entry.name, entry.scope, secret.as_bytes())
                .map_err(|message| ConfigError::Token { name: entry.name.clone(), message })?;
        }
        Ok(ProxyConfig {
            listeners,
            forward,
            admin,
            rule_dirs,
            policy,
            limits,
            spool,
            file_rotation: FileRotation {
                max_bytes: self.file.max_bytes.unwrap_or(fr.max_bytes),
                keep: self.file.keep.unwrap_or(fr.keep),
            },
            downstream: DownstreamConfig {
                connect_timeout: self.downstream.connect_timeout_ms.map(ms).unwrap_or(dd.connect_timeout),
                backoff_initial: self.downstream.backoff_initial_ms.map(ms).unwrap_or(dd.backoff_initial),
                backoff_max: self.downstream.backoff_max_ms.map(ms).unwrap_or(dd.backoff_max),
            },
            drain_timeout: self.drain_timeout_secs.map(Duration::from_secs).unwrap_or(defaults.drain_timeout),
            workers: self.workers.unwrap_or(defaults.workers).max(1),
            admin_tokens: tokens,
            public_metrics: self.admin_api.public_metrics.unwrap_or(true),
            tls,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_targets_and_listeners() {
        assert_eq!(
            "tcp://127.0.0.1:9000".parse::<ForwardTarget>().ok(),
            Some(ForwardTarget::Tcp("127.0.0.1:9000".into()))
        );
        assert!("tcp://nohost".parse::<ForwardTarget>().is_err());
        assert!("udp://x:1".parse::<ForwardTarget>().is_err());
        assert_eq!("file:out.log".parse::<ForwardTarget>().ok(), Some(ForwardTarget::File("out.log".into())));
        let l: ListenAddr = "127.0.0.1:5170/octet-counting".parse().unwrap();
        assert_eq!(l.framing, Framing::OctetCounting);
        assert!(!l.tls);
        let l: ListenAddr = "127.0.0.1:5170/newline/tls".parse().unwrap();
        assert_eq!((l.framing, l.tls), (Framing::Newline, true));
        assert_eq!(l.to_string(), "127.0.0.1:5170/newline/tls");
        let only_tls = ConfigFile::parse("listen = [\"127.0.0.1:1/tls\"]", std::path::Path::new("t"));
        assert!(matches!(only_tls.unwrap().resolve(Overrides::default()), Err(ConfigError::TlsWithoutCert(_))));
        assert!("127.0.0.1:5170/bogus".parse::<ListenAddr>().is_err());
    }

    #[test]
    fn file_and_flags_merge() {
        let text = r#"
            listen = ["127.0.0.1:7000/newline"]
            forward = "file:x.log"
            policy = "spool"
            [spool]
            dir = "spool"
            fsync = "always"
            [limits]
            max_line_bytes = 1000
            [[admin_api.tokens]]
            name = "ops"
            scope = "operate"
            token = "s3cret-token-value"
        "#;
        let file = ConfigFile::parse(text, std::path::Path::new("t.toml")).unwrap();
        let flags = Overrides { forward: Some("tcp://localhost:9".into()), ..Overrides::default() };
        let config = file.resolve(flags).unwrap();
        assert_eq!(config.listeners[0].framing, Framing::Newline);
        assert_eq!(config.forward, ForwardTarget::Tcp("localhost:9".into()));
        assert_eq!(config.policy, Policy::Spool);
        assert_eq!(config.spool.as_ref().unwrap().fsync, FsyncPolicy::Always);
        assert_eq!(config.limits.max_line_bytes, 1000);
        assert!(!format!("{config:?}").contains("s3cret"));
    }

    #[test]
    fn spool_policy_needs_a_dir() {
        let file = ConfigFile::parse("policy = \"spool\"", std::path::Path::new("t")).unwrap();
        assert!(matches!(file.resolve(Overrides::default()), Err(ConfigError::SpoolWithoutDir)));
    }
}
