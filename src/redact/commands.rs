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
    /// `-phunter2`, `-p"hunter2"`: the value glued to a short flag; `--user=jdoe%pw` to a long one.
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

const fn either(name: &'static str) -> Flag {
    Flag { name, glued: true, spaced: true, part: Part::Whole }
}

/// `openssl`'s pass phrase arguments: `pass:` and the password (`env:`, `file:`, `fd:` and `stdin` say where to
/// read it).
const fn pass_phrase(name: &'static str) -> Flag {
    Flag { name, glued: false, spaced: true, part: Part::After("pass:") }
}

const fn after(name: &'static str, byte: u8) -> Flag {
    Flag { name, glued: true, spaced: true, part: Part::AfterByte(byte) }
}

/// A command whose flags carry a password.
struct Command {
    /// Its names (the last part of a path: `/usr/bin/mysql` is `mysql`).
    names: &'static [&'static str],
    /// The words that must follow the name (`login` of `docker login`; `docker run -p` maps a port).
    verb: &'static [&'static str],
    flags: &'static [Flag],
    /// The flags that make it read the password from its standard input, which an `echo` before a `|` gives it
    /// (`echo 'x' | sudo -S …`).
    stdin: &'static [&'static str],
}

const fn command(names: &'static [&'static str], flags: &'static [Flag]) -> Command {
    Command { names, verb: &[], flags, stdin: &[] }
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
    command(&["sshpass"], &[either("-p")]),
    command(&["redis-cli", "redis-benchmark", "valkey-cli", "keydb-cli"], &[spaced("-a")]),
    // Container registries and the Azure CLI: `docker login -u ci -p …`, `az login -u … -p …`.
    Command {
        names: &["docker", "podman", "buildah", "skopeo", "nerdctl", "oras", "crane", "az"],
        verb: &["login"],
        flags: &[either("-p")],
        stdin: &["--password-stdin"],
    },
    Command { names: &["helm"], verb: &["registry", "login"], flags: &[either("-p")], stdin: &["--password-stdin"] },
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
        &[either("-w")],
    ),
    command(&["sqlcmd", "bcp", "osql", "ipmitool"], &[either("-P")]),
    command(&["zip", "unzip", "zipcloak"], &[spaced("-P")]),
    command(&["7z", "7za", "7zr"], &[glued("-p")]),
    command(
        &["mongo", "mongosh", "mongodump", "mongorestore", "mongoexport", "mongoimport", "mongostat", "mongotop"],
        &[spaced("-p")],
    ),
    command(&["influx"], &[spaced("-password")]),
    // HashiCorp's tools take their ACL token as `-token` (`consul kv get -token=…`).
    command(&["consul", "nomad", "vault"], &[either("-token")]),
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
    Command { names: &["sudo"], verb: &[], flags: &[], stdin: &["-S", "--stdin"] },
    Command { names: &["passwd"], verb: &[], flags: &[], stdin: &["--stdin"] },
];

/// The first bytes of the commands' names: most words (flags, values, paths' other parts) start with none.
const NAME_FIRST_BYTES: [bool; 256] = {
    let mut table = [false; 256];
    let mut c = 0;
    while c < COMMANDS.len() {
        let mut n = 0;
        while n < COMMANDS[c].names.len() {
            table[COMMANDS[c].names[n].as_bytes()[0] as usize] = true;
            n += 1;
        }
        c += 1;
    }
    table
};

/// How far before a flag its command's name is looked for, and after it its value: the work a flag costs is
/// bounded, whatever the line (a line of nothing but flags is read in linear time).
const REACH: usize = 512;

/// True for the bytes that end a command: a line break, `|`, `;`, `&`, a backtick.
fn ends_command(byte: u8) -> bool {
    matches!(byte, b'\n' | b'\r' | b'|' | b';' | b'&' | b'`')
}

/// The password that the flag whose first dash is at `dash` carries, as the span passed to `found`, when the
/// nearest command name before it (within `REACH`, in the same command) is one of `COMMANDS` and the flag one of
/// its password flags; or, for its flag that reads the standard input, the argument of the `echo` piped into it.
pub(crate) fn password_value(text: &[u8], dash: usize, mut found: impl FnMut(usize, usize)) {
    let limit = (dash + REACH).min(text.len());
    let end = text[dash..limit].iter().position(|&b| ends_command(b)).map_or(limit, |p| dash + p);
    let mut words = Words::new(text, dash, end);
    let Some((flag_start, flag_end, false)) = words.next() else { return };
    let argument = &text[flag_start..flag_end];
    // Most flags are no command's password flag (`-v`, `--rm`): turned away before the command is looked for.
    if !COMMANDS.iter().any(|command| reads_stdin(command, argument) || command.flags.iter().any(|f| f.names(argument)))
    {
        return;
    }
    let Some((command, name_start)) = command_before(text, command_start(text, dash), dash) else { return };
    if reads_stdin(command, argument) {
        // (A group of short flags with the letter, `-kS`, only among the command's own flags: not
        // `sudo apt-get remove -qS`.)
        let foreign = !command.stdin.iter().any(|flag| argument == flag.as_bytes())
            && Words::new(text, name_start, dash).skip(1).any(|(from, _, _)| text[from] != b'-');
        if foreign {
            return;
        }
        if let Some((value_start, value_end)) = echoed_into(text, name_start) {
            found(value_start, value_end);
        }
        return;
    }
    // `-p"hunter2"`: a quote glued to the flag opens its value, when the value starts at once and its closing
    // quote ends a word (in `cmd="mysql -p" db=…`, the quote closes the string the command is in).
    let glued_quote = match text.get(flag_end) {
        Some(&quote @ (b'"' | b'\'')) => {
            let close = text[flag_end + 1..end].iter().position(|&b| b == quote).map(|p| flag_end + 1 + p);
            close.filter(|&close| {
                close > flag_end + 1
                    && !text[flag_end + 1].is_ascii_whitespace()
                    && text.get(close + 1).is_none_or(|&b| b == b' ' || b == b'\t' || ends_command(b))
            })
        }
        _ => None,
    };
    for flag in command.flags {
        let name = flag.name.as_bytes();
        if let (true, Some(close)) = (argument == name && flag.glued, glued_quote) {
            value(text, flag_end + 1, close, flag.part, &mut found);
            return;
        }
        if argument == name && flag.spaced {
            if let Some((value_start, value_end, quoted)) = words.next() {
                if quoted || text[value_start] != b'-' {
                    value(text, value_start, value_end, flag.part, &mut found);
                }
            }
            return;
        }
        let Some(rest) = argument.strip_prefix(name).filter(|rest| flag.glued && !rest.is_empty()) else {
            continue;
        };
        // `-phunter2`; a flag's name of more than one letter takes its value after `=` (`--user=jdoe%pw`,
        // `-token=…`).
        let named = name.len() > 2;
        if named && rest.first() != Some(&b'=') {
            continue;
        }
        value(text, flag_start + name.len() + usize::from(named), flag_end, flag.part, &mut found);
        return;
    }
}

impl Flag {
    /// True when `argument` is this flag, alone or with its value glued.
    fn names(&self, argument: &[u8]) -> bool {
        let name = self.name.as_bytes();
        argument == name || self.glued && argument.starts_with(name)
    }
}

/// The nearest word in `text[start..dash]` (`start` from `command_start`) that names a command of `COMMANDS` (a
/// path's last part, after a `key=` or `key:`, without the quote or bracket that opens it), when its verb follows
/// it, and where it starts.
fn command_before(text: &[u8], start: usize, dash: usize) -> Option<(&'static Command, usize)> {
    let name_of = |from: usize, to: usize| {
        let word = &text[from..to];
        let name = word.iter().rposition(|&b| matches!(b, b'/' | b'=' | b':')).map_or(word, |p| &word[p + 1..]);
        let skip = name.iter().take_while(|&&b| matches!(b, b'\'' | b'"' | b'[' | b'{' | b'(')).count();
        &name[skip..]
    };
    // The nearest command so far, and how many words of its verb followed it.
    let mut nearest: Option<(&'static Command, usize, usize)> = None;
    let mut previous: Option<(usize, usize)> = None;
    for (word_start, word_end, _) in Words::new(text, start, dash) {
        let name = name_of(word_start, word_end);
        let named = name.first().is_some_and(|&b| NAME_FIRST_BYTES[usize::from(b)]);
        let after_flag = previous.is_some_and(|(from, _)| text[from] == b'-');
        let command = COMMANDS.iter().find(|command| named && command.names.iter().any(|n| n.as_bytes() == name));
        match (command, &mut nearest) {
            // The value of a flag of the same command (`docker login -u docker`) names no command.
            (Some(command), Some((current, ..))) if after_flag && std::ptr::eq(command, *current) => {}
            (Some(command), _) => nearest = Some((command, word_start, 0)),
            // The verb's words, in order after the name, none a flag's value (`docker --config /x login`;
            // not `docker run --name login`).
            (None, Some((command, _, matched))) => {
                let verb =
                    command.verb.get(*matched).is_some_and(|verb| &text[word_start..word_end] == verb.as_bytes());
                if verb && !after_flag {
                    *matched += 1;
                }
            }
            (None, None) => {}
        }
        previous = Some((word_start, word_end));
    }
    let (command, name_start, matched) = nearest?;
    (matched == command.verb.len()).then_some((command, name_start))
}

/// Where the command that `end` stands in starts: after the last byte that ends a command (at most `REACH`
/// before), after a `"` that closes a string (`{"cmd":"openssl …`: the command is in the next one), and inside a
/// quoted argument that `end` stands in (`bash -c 'mysql -p…`, `sh -c "echo 'x' | sudo -S id"`).
fn command_start(text: &[u8], end: usize) -> usize {
    let floor = end.saturating_sub(REACH);
    let mut from = text[floor..end].iter().rposition(|&b| ends_command(b)).map_or(floor, |p| floor + p + 1);
    loop {
        let mut words = Words::new(text, from, end);
        let last = words.by_ref().last();
        if words.end < end {
            from = words.end + 1;
            continue;
        }
        match last {
            Some((open, to, true)) if to == end && open > from => from = open,
            _ => return from,
        }
    }
}

/// True when `argument` is the flag that makes `command` read its password from the standard input (also among
/// other short flags: `sudo -kS`).
fn reads_stdin(command: &Command, argument: &[u8]) -> bool {
    command.stdin.iter().any(|flag| match flag.as_bytes() {
        [b'-', letter] => {
            argument == flag.as_bytes()
                || argument.len() > 2
                    && argument[0] == b'-'
                    && argument[1..].iter().all(u8::is_ascii_alphabetic)
                    && argument.contains(letter)
        }
        flag => argument == flag,
    })
}

/// The argument of an `echo` (or a `printf` of no format) piped into the command whose name starts at
/// `name_start` (`echo 'x' | sudo -S …`), when it is one word or one quoted string and not a variable.
fn echoed_into(text: &[u8], name_start: usize) -> Option<(usize, usize)> {
    let before = text[..name_start].trim_ascii_end();
    let pipe = before.len().checked_sub(1).filter(|&p| before[p] == b'|')?;
    let words: Vec<(usize, usize, bool)> = Words::new(text, command_start(text, pipe), pipe).collect();
    let echo = words.iter().rposition(|&(from, to, quoted)| {
        let word = &text[from..to];
        let word = if quoted { word } else { word.strip_prefix(b"\"").unwrap_or(word) };
        word == b"echo" || word == b"printf"
    })?;
    let arguments: Vec<&(usize, usize, bool)> = words[echo + 1..]
        .iter()
        .filter(|&&(from, to, quoted)| quoted || !matches!(&text[from..to], b"-n" | b"-e" | b"-ne" | b"-en"))
        .collect();
    let &[&(value_start, mut value_end, quoted)] = arguments.as_slice() else { return None };
    if text[value_start..value_end].contains(&b'%') {
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

/// Passes the part of the value `text[start..stop]` that is the password to `found`: not a variable, nor a
/// locked account's `!` or `*`.
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
    let value = &text[start..stop];
    if !value.is_empty() && !is_variable(value) && !value.iter().all(|&b| b == b'!' || b == b'*') && !is_port(value) {
        found(start, stop);
    }
}

/// True for a port or a port mapping (`2222`, `27017:27017`, `127.0.0.1:8080:80`): a command whose name is also
/// a host's (`ssh mongo -p 2222`, `docker run --name redis-cli -p 6379:6379`) takes a port there.
fn is_port(value: &[u8]) -> bool {
    let last = value.rsplit(|&b| b == b':').next().unwrap_or(value);
    (1..=5).contains(&last.len())
        && last.iter().all(u8::is_ascii_digit)
        && value.iter().all(|&b| b.is_ascii_digit() || b == b':' || b == b'.')
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The password values of the commands of `text`, read from each flag as the engine reads them.
    fn values(text: &str) -> Vec<&str> {
        let mut spans = Vec::new();
        for (dash, _) in text.match_indices(" -") {
            password_value(text.as_bytes(), dash + 1, |start, end| spans.push(&text[start..end]));
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
        assert_eq!(values("ldapsearch -xD cn=admin -wGr4nite!"), ["Gr4nite!"]);
        assert_eq!(values("smbclient //fs/share -U CORP\\jdoe%Winter24"), ["Winter24"]);
        assert_eq!(values("smbclient //fs/share --user=jdoe%Winter24"), ["Winter24"]);
        assert_eq!(
            values("keytool -importkeystore -srcstorepass changeit -deststorepass S3cure"),
            ["changeit", "S3cure"]
        );
        assert_eq!(values("7z a -pArch1ve! backup.7z /srv; 7z x -p\"Tr0ub4dor3\" b.7z"), ["Arch1ve!", "Tr0ub4dor3"]);
        assert_eq!(values("echo 'K35tr3lw4lnut^2' | sudo -S systemctl restart nginx"), ["K35tr3lw4lnut^2"]);
        assert_eq!(values("printf 'Tr0ub4dor3\\n' | sudo -kS id"), ["Tr0ub4dor3"]);
        assert_eq!(values("echo -n \"Rk8#pw\" | docker login -u ci --password-stdin reg.io"), ["Rk8#pw"]);
        // The nearest command before the flag: after `sudo`'s own flags, in quotes, after a quoted argument.
        assert_eq!(values("sudo -u postgres mysql -u root -pTr0ub4dor3"), ["Tr0ub4dor3"]);
        assert_eq!(
            values("echo 'Tr0ub4dor3' | sudo -S mysql -uroot -pOther5ecret shop"),
            ["Tr0ub4dor3", "Other5ecret"]
        );
        assert_eq!(values("bash -c 'mysql -uroot -pTr0ub4dor3 shop'"), ["Tr0ub4dor3"]);
        assert_eq!(values("cmd='sshpass -p Tr0ub4dor3 ssh h'"), ["Tr0ub4dor3"]);
        assert_eq!(values("mongosh \"mongodb://h\" -u admin -p Tr0ub4dor3"), ["Tr0ub4dor3"]);
        assert_eq!(values("sudo -u deploy docker login -u ci -p Tr0ub4dor3 ghcr.io"), ["Tr0ub4dor3"]);
        // A verb after the command's own flags, the command's name as a flag's value, a quote glued to the flag.
        assert_eq!(values("docker --config /x login -u docker -p Tr0ub4dor3 r.io"), ["Tr0ub4dor3"]);
        assert_eq!(values("az acr login -n reg -u ci -p Tr0ub4dor3"), ["Tr0ub4dor3"]);
        assert_eq!(values("sshpass -p\"Tr0ub4dor3\" ssh a@b"), ["Tr0ub4dor3"]);
        assert_eq!(values("consul kv get -token=3f1c9a2b-1111-2222 key"), ["3f1c9a2b-1111-2222"]);
    }

    #[test]
    fn flags_that_look_alike_carry_none() {
        // A port, a prompt, a variable, where to read it, another flag, a command of its own, a locked account.
        assert!(values("docker run -p 8080:80 nginx; docker run --rm --name login -p 8080:80 app").is_empty());
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
        assert!(values("useradd -m -p '!' bob; usermod -p '*' bob").is_empty());
        assert!(values("printf '%s\\n' x | sudo -S id").is_empty());
        // A host named like a command takes a port; a quote that closes the string the command is in; another
        // program's group of flags after sudo.
        assert!(
            values("docker run --name mongo -p 27017:27017 mongo; ssh mongo -p 2222; nmap mongo -p 27017").is_empty()
        );
        assert!(values("cmd=\"mysql -p\" db=\"shop\"").is_empty());
        assert!(values("echo 'y' | sudo apt-get remove -qS pkg").is_empty());
    }

    #[test]
    fn a_line_of_flags_costs_each_flag_a_bounded_look() {
        // Every flag looks back and ahead at most `REACH` bytes: a megabyte of them is read in linear time.
        let line = format!("mysql {}", "-a ".repeat(350_000));
        let mut count = 0;
        let text = line.as_bytes();
        for (dash, _) in line.match_indices(" -") {
            password_value(text, dash + 1, |_, _| count += 1);
        }
        assert_eq!(count, 0);
    }
}
