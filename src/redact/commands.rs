//! Commands logged with a password on their command line (`docker login -p …`, `redis-cli -a …`,
//! `mysql -phunter2`, `echo 'x' | sudo -S …`): which commands, which of their flags carry one, and where its
//! value is. Read from a flag's dash back to the command's name, so that no word of a line costs a lookup.

/// Where a flag's value holds the password.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Part {
    /// All of it.
    Whole,
    /// What follows this prefix, when the value starts with it (`openssl -pass pass:x`; not `env:VAR` or
    /// `file:/run/pw`, which say where to read it).
    After(&'static str),
    /// What follows the first such byte, when there is one (`smbclient -U user%pw`): without it, the command
    /// asks for the password. (`curl -u user:pw` is read as a `key:value` pair is, user and all.)
    AfterByte(u8),
}

/// A command-line flag that takes a password, and the ways its value is written.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
struct Flag {
    name: &'static str,
    /// `-phunter2`: the value glued to a short flag.
    glued: bool,
    /// `-p S3cr3t`: the next word.
    spaced: bool,
    part: Part,
}

const fn spaced(name: &'static str) -> Flag {
    Flag { name, glued: false, spaced: true, part: Part::Whole }
}

const fn glued(name: &'static str) -> Flag {
    Flag { name, glued: true, spaced: false, part: Part::Whole }
}

/// `openssl`'s pass phrase arguments: `pass:` and the password (`env:`, `file:`, `fd:` and `stdin` say where to
/// read it).
const fn pass_phrase(name: &'static str) -> Flag {
    Flag { name, glued: false, spaced: true, part: Part::After("pass:") }
}

const fn after(name: &'static str, byte: u8) -> Flag {
    Flag { name, glued: false, spaced: true, part: Part::AfterByte(byte) }
}

/// A command whose flags carry a password.
struct Command {
    /// Its names (the last part of a path: `/usr/bin/mysql` is `mysql`).
    names: &'static [&'static str],
    /// A word that must stand between the name and the flag (`login` of `docker login`; `docker run -p` maps a
    /// port), or "".
    verb: &'static str,
    flags: &'static [Flag],
    /// A flag that makes it read the password from its standard input, which an `echo` before a `|` gives it
    /// (`echo 'x' | sudo -S …`), or "".
    stdin: &'static str,
}

const fn command(names: &'static [&'static str], flags: &'static [Flag]) -> Command {
    Command { names, verb: "", flags, stdin: "" }
}

/// The commands, with the flags that carry a password in each (and not the ones that look alike: `mysql -p`
/// with nothing glued asks for it, the next word being the database; `docker run -p` maps a port).
const COMMANDS: &[Command] = &[
    command(
        &[
            "mysql",
            "mysqldump",
            "mysqladmin",
            "mysqlimport",
            "mysqlcheck",
            "mysqlshow",
            "mysqlpump",
            "mysqlbinlog",
            "mariadb",
            "mariadb-dump",
            "mariadb-admin",
        ],
        &[glued("-p")],
    ),
    command(&["sshpass"], &[Flag { name: "-p", glued: true, spaced: true, part: Part::Whole }]),
    command(&["redis-cli", "redis-benchmark", "valkey-cli", "keydb-cli"], &[spaced("-a")]),
    // Container registries and the Azure CLI: `docker login -u ci -p …`, `az login -u … -p …`.
    Command {
        names: &["docker", "podman", "buildah", "skopeo", "nerdctl", "helm", "oras", "crane", "az"],
        verb: "login",
        flags: &[spaced("-p")],
        stdin: "--password-stdin",
    },
    command(&["openssl"], &[spaced("-k"), pass_phrase("-pass"), pass_phrase("-passin"), pass_phrase("-passout")]),
    command(
        &[
            "ldapsearch",
            "ldapadd",
            "ldapmodify",
            "ldapdelete",
            "ldapwhoami",
            "ldappasswd",
            "ldapcompare",
            "ldapmodrdn",
            "ldapexop",
        ],
        &[spaced("-w")],
    ),
    command(&["sqlcmd", "bcp", "osql", "ipmitool", "zip", "unzip", "zipcloak"], &[spaced("-P")]),
    command(&["7z", "7za", "7zr"], &[glued("-p")]),
    command(
        &["mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop"],
        &[spaced("-p")],
    ),
    command(
        &["keytool"],
        &[
            spaced("-storepass"),
            spaced("-keypass"),
            spaced("-srcstorepass"),
            spaced("-deststorepass"),
            spaced("-srckeypass"),
            spaced("-destkeypass"),
            spaced("-new"),
        ],
    ),
    command(&["smbclient", "rpcclient", "smbcacls", "smbget"], &[after("-U", b'%'), after("--user", b'%')]),
    // SNMP's community string (v1, v2c) and the v3 pass phrases.
    command(
        &["snmpwalk", "snmpbulkwalk", "snmpget", "snmpgetnext", "snmpbulkget", "snmpset", "snmptable", "snmptrap"],
        &[spaced("-c"), spaced("-A"), spaced("-X")],
    ),
    // The password's hash, which a dictionary attack reads back.
    command(&["useradd", "usermod"], &[spaced("-p")]),
    command(&["rdesktop"], &[spaced("-p")]),
    Command { names: &["sudo"], verb: "", flags: &[], stdin: "-S" },
    Command { names: &["passwd"], verb: "", flags: &[], stdin: "--stdin" },
];

/// True for the bytes that end a command: a line break, `|`, `;`, `&`, a backtick.
fn ends_command(byte: u8) -> bool {
    matches!(byte, b'\n' | b'\r' | b'|' | b';' | b'&' | b'`')
}

/// The password values of the command that the flag whose first dash is at `dash` belongs to, as spans passed to
/// `found`, when the command is one of `COMMANDS`; returns the end of the command then (a later flag of it needs
/// no second look).
pub(crate) fn password_values(text: &[u8], dash: usize, mut found: impl FnMut(usize, usize)) -> Option<usize> {
    // The command starts after a byte that ends one, an opening parenthesis or a quote (`sh -c "…"`).
    let start = text[..dash].iter().rposition(|&b| ends_command(b) || matches!(b, b'(' | b'"')).map_or(0, |p| p + 1);
    let (command, name_end) = command_before(text, start, dash)?;
    let end = flag_values(text, name_end, command.flags, &mut found);
    if !command.stdin.is_empty() && has_argument(text, name_end, end, command.stdin) {
        if let Some((value_start, value_end)) = echoed_into(text, start) {
            found(value_start, value_end);
        }
    }
    Some(end)
}

/// The command of `COMMANDS` named by a word in `text[start..dash]` (the last such word), and the end of its
/// name; with its verb among the words after the name, when it has one.
fn command_before(text: &[u8], start: usize, dash: usize) -> Option<(&'static Command, usize)> {
    let mut found = None;
    let mut at = start;
    while at < dash {
        let word_end = text[at..dash].iter().position(|&b| b == b' ' || b == b'\t').map_or(dash, |p| at + p);
        let word = &text[at..word_end];
        // The last part of a path (`/usr/bin/mysql`) or of an assignment (`COMMAND=/usr/bin/mysql`).
        let name = word.iter().rposition(|&b| b == b'/' || b == b'=').map_or(word, |p| &word[p + 1..]);
        if let Some(command) = COMMANDS.iter().find(|command| command.names.iter().any(|n| n.as_bytes() == name)) {
            found = Some((command, word_end));
        }
        at = word_end + 1;
    }
    let (command, name_end) = found?;
    let verb_ok = command.verb.is_empty()
        || text[name_end..dash].split(|&b| b == b' ' || b == b'\t').any(|word| word == command.verb.as_bytes());
    verb_ok.then_some((command, name_end))
}

/// True when `name` is one of the words of `text[from..end]`.
fn has_argument(text: &[u8], from: usize, end: usize, name: &str) -> bool {
    text[from..end].split(|&b| b == b' ' || b == b'\t').any(|word| word == name.as_bytes())
}

/// The argument of an `echo` that is piped into the command starting at `start` (`echo 'x' | sudo -S …`), when
/// it is one word or one quoted string and not a variable.
fn echoed_into(text: &[u8], start: usize) -> Option<(usize, usize)> {
    let pipe = start.checked_sub(1).filter(|&p| text[p] == b'|')?;
    let segment_start = text[..pipe].iter().rposition(|&b| ends_command(b)).map_or(0, |p| p + 1);
    let mut words = Words::new(text, segment_start, pipe);
    let (echo_start, echo_end, _) = words.next()?;
    if &text[echo_start..echo_end] != b"echo" {
        return None;
    }
    let mut argument = words.next()?;
    // `echo -n 'x'`, `echo -e "x\n"`.
    while matches!(&text[argument.0..argument.1], b"-n" | b"-e" | b"-ne" | b"-en") {
        argument = words.next()?;
    }
    let (value_start, mut value_end, quoted) = argument;
    if words.next().is_some() {
        return None;
    }
    if quoted && text[value_start..value_end].ends_with(b"\\n") {
        value_end -= 2;
    }
    (value_end > value_start && !is_variable(&text[value_start..value_end])).then_some((value_start, value_end))
}

/// True when `value` names a variable or a command's output rather than holding a password: `$DB_PASSWORD`,
/// `${PW}`, `$(cat /run/pw)`, `%DB_PASS%`.
fn is_variable(value: &[u8]) -> bool {
    match value {
        [b'$', b'{' | b'(', ..] => true,
        [b'$', rest @ ..] => {
            !rest.is_empty() && rest.iter().all(|&b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
        }
        [b'%', inner @ .., b'%'] => !inner.is_empty() && inner.iter().all(|&b| b.is_ascii_alphanumeric() || b == b'_'),
        _ => false,
    }
}

/// The arguments of a command between two positions: each one's span (its contents when quoted) and whether it
/// was quoted. A `"` that does not start an argument closes the string the command is in, and ends them.
struct Words<'t> {
    text: &'t [u8],
    at: usize,
    end: usize,
}

impl<'t> Words<'t> {
    fn new(text: &'t [u8], from: usize, end: usize) -> Words<'t> {
        Words { text, at: from, end }
    }
}

impl Iterator for Words<'_> {
    type Item = (usize, usize, bool);

    fn next(&mut self) -> Option<(usize, usize, bool)> {
        let (text, end) = (self.text, self.end);
        while self.at < end && matches!(text[self.at], b' ' | b'\t') {
            self.at += 1;
        }
        if self.at >= end {
            return None;
        }
        let at = self.at;
        match text[at] {
            quote @ (b'\'' | b'"') if at == 0 || matches!(text[at - 1], b' ' | b'\t') => {
                let close = text[at + 1..end].iter().position(|&b| b == quote).map_or(end, |p| at + 1 + p);
                self.at = (close + 1).min(end);
                Some((at + 1, close, true))
            }
            b'"' => {
                self.end = at;
                None
            }
            _ => {
                let stop = text[at..end].iter().position(|&b| matches!(b, b' ' | b'\t' | b'"')).map_or(end, |p| at + p);
                self.at = stop.max(at + 1);
                Some((at, stop, false))
            }
        }
    }
}

/// Calls `found` with the span of each value of `flags` in the command whose arguments start at `from`, up to the
/// end of the command (a line break, `|`, `;`, `&`, a backtick, or a `"` that closes the string it is in), and
/// returns that end. A value in quotes is the text between them; a variable (`$DB_PASSWORD`) and another flag
/// are no values.
fn flag_values(text: &[u8], from: usize, flags: &[Flag], found: &mut impl FnMut(usize, usize)) -> usize {
    let end = text[from..].iter().position(|&b| ends_command(b)).map_or(text.len(), |p| from + p);
    let mut words = Words::new(text, from, end);
    let mut takes_value: Option<&Flag> = None;
    for (start, stop, quoted) in words.by_ref() {
        let argument = &text[start..stop];
        if let Some(flag) = takes_value.take() {
            if argument.first() != Some(&b'-') || quoted {
                value(text, start, stop, flag.part, found);
                continue;
            }
        }
        for flag in flags {
            let name = flag.name.as_bytes();
            if argument == name && !quoted {
                takes_value = flag.spaced.then_some(flag);
            } else if flag.glued && argument.len() > name.len() && argument.starts_with(name) && !quoted {
                // `-phunter2`.
                value(text, start + name.len(), stop, flag.part, found);
            }
        }
    }
    // A `"` that closed the string the command is in ends it there.
    words.end
}

/// Passes the part of the value `text[start..stop]` that is the password to `found`.
fn value(text: &[u8], start: usize, stop: usize, part: Part, found: &mut impl FnMut(usize, usize)) {
    let value = &text[start..stop];
    let start = match part {
        Part::Whole => start,
        Part::After(prefix) => match value.strip_prefix(prefix.as_bytes()) {
            Some(_) => start + prefix.len(),
            None => return,
        },
        Part::AfterByte(byte) => match memchr::memchr(byte, value) {
            Some(p) => start + p + 1,
            None => return,
        },
    };
    if stop > start && !is_variable(&text[start..stop]) {
        found(start, stop);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The password values of the commands of `text`, read from each flag that starts a word as the engine
    /// reads them (a command's later flags are passed).
    fn values(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        let mut command_end = 0;
        for (dash, _) in text.match_indices(" -") {
            if dash + 1 >= command_end {
                let found = password_values(text.as_bytes(), dash + 1, |start, end| spans.push(&text[start..end]));
                command_end = found.unwrap_or(0);
            }
        }
        spans
    }

    #[test]
    fn flags_that_carry_a_password_in_their_commands() {
        assert_eq!(values("$ docker login -u deploy -p tRIhBqAmk^02 registry.example.com"), ["tRIhBqAmk^02"]);
        assert_eq!(values("helm registry login -u ci -p 'pw with space' ghcr.io"), ["pw with space"]);
        assert_eq!(
            values("redis-cli -h cache.internal -a velvet-sparrow-91 --no-auth-warning INFO"),
            ["velvet-sparrow-91"]
        );
        assert_eq!(values("openssl enc -aes-256-cbc -pbkdf2 -k Ember5392* -in s.tar"), ["Ember5392*"]);
        assert_eq!(values("openssl pkcs12 -export -passout pass:Xk2!pq -in c.pem"), ["Xk2!pq"]);
        assert_eq!(values("COMMAND=/usr/bin/mysql -u root -phunter2 shop"), ["hunter2"]);
        assert_eq!(values("sshpass -p 'S3cr3t!' ssh deploy@host"), ["S3cr3t!"]);
        assert_eq!(values("ldapsearch -x -D cn=admin,dc=corp -w Gr4nite! -b dc=corp"), ["Gr4nite!"]);
        assert_eq!(values("smbclient //fs/share -U CORP\\jdoe%Winter24"), ["Winter24"]);
        assert_eq!(
            values("keytool -importkeystore -srcstorepass changeit -deststorepass S3cure"),
            ["changeit", "S3cure"]
        );
        assert_eq!(values("7z a -pArch1ve! backup.7z /srv"), ["Arch1ve!"]);
        assert_eq!(values("echo 'K35tr3lw4lnut^2' | sudo -S systemctl restart nginx"), ["K35tr3lw4lnut^2"]);
        assert_eq!(values("echo -n \"Rk8#pw\" | docker login -u ci --password-stdin reg.io"), ["Rk8#pw"]);
    }

    #[test]
    fn flags_that_look_alike_carry_none() {
        // A port, a prompt, a variable, where to read it, another flag, a command of its own.
        assert!(values("docker run -p 8080:80 nginx").is_empty());
        assert!(values("mysql -p shop").is_empty());
        assert!(values("docker login -u ci -p $REGISTRY_PASSWORD reg.io").is_empty());
        assert!(values("openssl pkcs12 -passin env:P12_PASS -in c.p12").is_empty());
        assert!(values("openssl pkcs12 -passin file:/run/pw -in c.p12").is_empty());
        assert!(values("mongosh -u admin -p --authenticationDatabase admin").is_empty());
        assert!(values("smbclient -L fs -U jdoe").is_empty());
        assert!(values("ssh -p 2222 deploy@host").is_empty());
        assert!(values("echo $PW | sudo -S true").is_empty());
        assert!(values("echo done; sudo -S true").is_empty());
        assert!(values("grep -p mysql notes.txt").is_empty());
    }

    #[test]
    fn a_command_ends_at_a_pipe_or_a_quote_that_closes_its_string() {
        let text = "sh -c \"redis-cli -a s3cret\" -a other";
        let mut spans = Vec::new();
        let end = password_values(text.as_bytes(), 17, |start, end| spans.push(&text[start..end]));
        assert_eq!(spans, ["s3cret"]);
        assert_eq!(end, Some(26));
    }
}
