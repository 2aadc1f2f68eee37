//! The disk spool: redacted lines waiting for the downstream, in segment files, replayed after a restart.
//!
//! Only redacted output is ever written here. Segments are `NNNNNNNNNNNNNNNN.seg` files of whole lines;
//! `cursor` records how far the oldest segment was delivered. Delivery is at least once: after a crash or
//! restart the lines between the last saved cursor and the true position are sent again.
//! fsync policy: `never` (the OS writes back), `segment` (default: when a segment is closed and on
//! shutdown), `always` (after every appended batch and cursor update).

use std::collections::VecDeque;
use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::os::unix::fs::FileExt;
use std::path::{Path, PathBuf};

use crate::proxy::config::{FsyncPolicy, SpoolConfig};

/// Spool I/O failed; the message names the path and what to check.
#[derive(Debug, thiserror::Error)]
#[error("spool {path}: {source}; check the directory exists, is writable and has free space")]
pub struct SpoolError {
    pub path: PathBuf,
    pub source: std::io::Error,
}

/// An open spool directory.
pub struct Spool {
    config: SpoolConfig,
    /// (id, length) of every segment, oldest first.
    segments: VecDeque<(u64, u64)>,
    /// Delivered bytes of the oldest segment.
    head_offset: u64,
    /// The segment being appended to (the newest one), if open.
    tail: Option<File>,
    next_id: u64,
    head_file: Option<(u64, File)>,
}

impl Spool {
    /// Opens (creating) the directory and finds what an earlier run left undelivered.
    pub fn open(config: SpoolConfig) -> Result<Spool, SpoolError> {
        let dir = config.dir.clone();
        let err = |source| SpoolError { path: dir.clone(), source };
        fs::create_dir_all(&dir).map_err(err)?;
        let mut ids: Vec<u64> = fs::read_dir(&dir)
            .map_err(err)?
            .filter_map(|e| e.ok())
            .filter_map(|e| {
                let name = e.file_name().into_string().ok()?;
                name.strip_suffix(".seg")?.parse().ok()
            })
            .collect();
        ids.sort_unstable();
        let (cursor_id, cursor_offset) = read_cursor(&dir.join("cursor")).unwrap_or((0, 0));
        let mut segments = VecDeque::new();
        let mut head_offset = 0;
        for id in ids {
            let path = segment_path(&dir, id);
            if id < cursor_id {
                fs::remove_file(&path).map_err(|source| SpoolError { path, source })?;
                continue;
            }
            let len = repair_tail(&path)?;
            if id == cursor_id {
                head_offset = cursor_offset.min(len);
            }
            segments.push_back((id, len));
        }
        let next_id = segments.back().map(|&(id, _)| id + 1).unwrap_or(cursor_id + 1);
        let mut spool = Spool { config, segments, head_offset, tail: None, next_id, head_file: None };
        spool.drop_delivered_head()?;
        Ok(spool)
    }

    /// Undelivered bytes.
    pub fn bytes(&self) -> u64 {
        let total: u64 = self.segments.iter().map(|&(_, len)| len).sum();
        total - self.head_offset
    }

    pub fn is_empty(&self) -> bool {
        self.bytes() == 0
    }

    pub fn segment_count(&self) -> usize {
        self.segments.len()
    }

    /// Room left before `max_bytes`.
    pub fn room(&self) -> u64 {
        let total: u64 = self.segments.iter().map(|&(_, len)| len).sum();
        self.config.max_bytes.saturating_sub(total)
    }

    /// Appends whole lines; returns false (writing nothing) when they do not fit.
    pub fn append(&mut self, data: &[u8]) -> Result<bool, SpoolError> {
        if data.is_empty() {
            return Ok(true);
        }
        if data.len() as u64 > self.room() {
            return Ok(false);
        }
        let needs_new = match (&self.tail, self.segments.back()) {
            (Some(_), Some(&(_, len))) => len >= self.config.segment_bytes,
            _ => true,
        };
        if needs_new {
            self.close_tail()?;
            let id = self.next_id;
            self.next_id += 1;
            let path = segment_path(&self.config.dir, id);
            let file = OpenOptions::new()
                .create(true)
                .append(true)
                .open(&path)
                .map_err(|source| SpoolError { path, source })?;
            self.tail = Some(file);
            self.segments.push_back((id, 0));
        }
        let path_of_tail = || segment_path(&self.config.dir, self.segments.back().map_or(0, |s| s.0));
        if let Some(file) = &mut self.tail {
            file.write_all(data).map_err(|source| SpoolError { path: path_of_tail(), source })?;
            if self.config.fsync == FsyncPolicy::Always {
                file.sync_data().map_err(|source| SpoolError { path: path_of_tail(), source })?;
            }
        }
        if let Some(last) = self.segments.back_mut() {
            last.1 += data.len() as u64;
        }
        Ok(true)
    }

    /// Reads up to `max` bytes of whole lines from the oldest undelivered position into `out`.
    pub fn read_chunk(&mut self, max: usize, out: &mut Vec<u8>) -> Result<usize, SpoolError> {
        self.drop_delivered_head()?;
        let Some(&(id, len)) = self.segments.front() else {
            return Ok(0);
        };
        let want = (len - self.head_offset).min(max as u64) as usize;
        if want == 0 {
            return Ok(0);
        }
        let path = segment_path(&self.config.dir, id);
        if self.head_file.as_ref().map(|(i, _)| *i) != Some(id) {
            let file = File::open(&path).map_err(|source| SpoolError { path: path.clone(), source })?;
            self.head_file = Some((id, file));
        }
        let start = out.len();
        out.resize(start + want, 0);
        if let Some((_, file)) = &self.head_file {
            file.read_exact_at(&mut out[start..], self.head_offset).map_err(|source| SpoolError { path, source })?;
        }
        let whole = match memchr::memrchr(b'\n', &out[start..]) {
            Some(i) => i + 1,
            // A line longer than `max`: send what we have; the rest follows in the next chunk.
            None => want,
        };
        out.truncate(start + whole);
        Ok(whole)
    }

    /// Marks `len` bytes returned by `read_chunk` as delivered.
    pub fn advance(&mut self, len: usize) -> Result<(), SpoolError> {
        self.head_offset += len as u64;
        self.drop_delivered_head()?;
        let (id, offset) = match self.segments.front() {
            Some(&(id, _)) => (id, self.head_offset),
            None => (self.next_id, 0),
        };
        self.write_cursor(id, offset)
    }

    /// Flushes the open segment to disk (used on shutdown with the `segment` and `always` policies).
    pub fn sync(&mut self) -> Result<(), SpoolError> {
        if self.config.fsync == FsyncPolicy::Never {
            return Ok(());
        }
        if let Some(file) = &self.tail {
            file.sync_data().map_err(|source| SpoolError { path: self.config.dir.clone(), source })?;
        }
        Ok(())
    }

    fn close_tail(&mut self) -> Result<(), SpoolError> {
        if let Some(file) = self.tail.take() {
            if self.config.fsync != FsyncPolicy::Never {
                file.sync_data().map_err(|source| SpoolError { path: self.config.dir.clone(), source })?;
            }
        }
        Ok(())
    }

    fn drop_delivered_head(&mut self) -> Result<(), SpoolError> {
        while let Some(&(id, len)) = self.segments.front() {
            let is_open_tail = self.segments.len() == 1 && self.tail.is_some();
            if self.head_offset < len || (is_open_tail && len == 0) {
                break;
            }
            if is_open_tail {
                // Fully delivered: the next append starts a new segment.
                self.tail = None;
            }
            self.segments.pop_front();
            self.head_offset = 0;
            if self.head_file.as_ref().map(|(i, _)| *i) == Some(id) {
                self.head_file = None;
            }
            let path = segment_path(&self.config.dir, id);
            if let Err(source) = fs::remove_file(&path) {
                if source.kind() != std::io::ErrorKind::NotFound {
                    return Err(SpoolError { path, source });
                }
            }
        }
        Ok(())
    }

    fn write_cursor(&self, id: u64, offset: u64) -> Result<(), SpoolError> {
        let path = self.config.dir.join("cursor");
        let tmp = self.config.dir.join("cursor.tmp");
        let err = |source| SpoolError { path: path.clone(), source };
        let mut file = File::create(&tmp).map_err(err)?;
        file.write_all(format!("{id} {offset}\n").as_bytes()).map_err(err)?;
        if self.config.fsync == FsyncPolicy::Always {
            file.sync_data().map_err(err)?;
        }
        fs::rename(&tmp, &path).map_err(err)
    }
}

fn segment_path(dir: &Path, id: u64) -> PathBuf {
    dir.join(format!("{id:016}.seg"))
}

fn read_cursor(path: &Path) -> Option<(u64, u64)> {
    let text = fs::read_to_string(path).ok()?;
    let mut parts = text.split_whitespace();
    Some((parts.next()?.parse().ok()?, parts.next()?.parse().ok()?))
}

/// A segment cut short by a crash may end inside a line: end it with LF so it cannot join the next one.
fn repair_tail(path: &Path) -> Result<u64, SpoolError> {
    let err = |source| SpoolError { path: path.to_path_buf(), source };
    let file = OpenOptions::new().read(true).append(true).open(path).map_err(err)?;
    let len = file.metadata().map_err(err)?.len();
    if len == 0 {
        return Ok(0);
    }
    let mut last = [0u8; 1];
    file.read_exact_at(&mut last, len - 1).map_err(err)?;
    if last[0] == b'\n' {
        return Ok(len);
    }
    (&file).write_all(b"\n").map_err(err)?;
    Ok(len + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn config(dir: &Path, segment: u64, max: u64) -> SpoolConfig {
        SpoolConfig { dir: dir.to_path_buf(), max_bytes: max, segment_bytes: segment, fsync: FsyncPolicy::Segment }
    }

    fn drain(spool: &mut Spool, chunk: usize) -> Vec<u8> {
        let mut all = Vec::new();
        for _ in 0..10_000 {
            let mut buf = Vec::new();
            let n = spool.read_chunk(chunk, &mut buf).unwrap();
            if n == 0 {
                break;
            }
            spool.advance(n).unwrap();
            all.extend_from_slice(&buf);
        }
        all
    }

    #[test]
    fn appends_rotate_segments_and_replay_after_reopen() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(config(dir.path(), 20, 1000)).unwrap();
        for i in 0..10 {
            assert!(spool.append(format!("line-{i}\n").as_bytes()).unwrap());
        }
        assert!(spool.segment_count() > 1);
        let mut first = Vec::new();
        let n = spool.read_chunk(15, &mut first).unwrap();
        assert_eq!(&first[..n], b"line-0\nline-1\n");
        spool.advance(n).unwrap();
        drop(spool);
        let mut spool = Spool::open(config(dir.path(), 20, 1000)).unwrap();
        let rest = drain(&mut spool, 15);
        let expected: String = (2..10).map(|i| format!("line-{i}\n")).collect();
        assert_eq!(String::from_utf8(rest).unwrap(), expected);
        assert!(spool.is_empty());
        assert!(spool.append(b"after\n").unwrap());
        assert_eq!(drain(&mut spool, 100), b"after\n");
    }

    #[test]
    fn refuses_when_full_and_repairs_a_torn_line() {
        let dir = tempfile::tempdir().unwrap();
        let mut spool = Spool::open(config(dir.path(), 1000, 10)).unwrap();
        assert!(spool.append(b"12345\n").unwrap());
        assert!(!spool.append(b"123456\n").unwrap());
        drop(spool);
        let seg = segment_path(dir.path(), 1);
        let mut f = OpenOptions::new().append(true).open(&seg).unwrap();
        f.write_all(b"torn").unwrap();
        let mut spool = Spool::open(config(dir.path(), 1000, 100)).unwrap();
        assert_eq!(drain(&mut spool, 100), b"12345\ntorn\n");
    }
}
