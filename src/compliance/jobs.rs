//! A durable job runner: claims a job, skips the steps an earlier attempt journaled, runs the rest with lease
//! heartbeats, records the outcome (audited) and writes a signed audit checkpoint after the job.
//!
//! The access, erasure and export work of later issues implements [`JobWork`]; a crash at any point leaves the
//! job claimable again once its lease expires, and the next run resumes after the last journaled step.

use crate::audit::checkpoint;
use crate::audit::entry::{Action, Actor, AuditDraft, ObjectKind, Outcome, SafeId};
use crate::keys::Keys;
use crate::store::{JobRow, JobState, Store, StoreError};

/// The work of one kind of job, split into named steps.
pub trait JobWork {
    /// The steps, in order, for this job.
    fn steps(&self, job: &JobRow) -> Vec<&'static str>;
    /// Runs one step; `done` holds the outputs of the steps already completed, in order. The output is
    /// journaled and must hold ids, hashes and counts only, never raw personal data.
    fn run_step(&mut self, job: &JobRow, step: &str, done: &[(String, String)]) -> StepResult;
}

/// What a step did.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum StepResult {
    /// The step finished; journal this output.
    Done(String),
    /// The job cannot succeed; end it as failed (audited).
    Failed,
    /// Stop now without recording anything, as a crash would; the job resumes after its lease expires.
    Abandon,
}

/// How a run ended.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum RunOutcome {
    /// No job was claimable.
    Idle,
    /// The job finished with this state; `resumed_after` steps were skipped because already journaled.
    Finished { job_id: i64, state: JobState, resumed_after: usize },
    /// The run stopped early (abandoned); the job stays leased until its lease expires.
    Abandoned { job_id: i64 },
}

/// Source of the current time in milliseconds (injected so tests need no sleeps).
pub type Clock<'a> = &'a dyn Fn() -> i64;

/// Claims the next job and runs it to the end (or until abandoned).
pub fn run_next(
    store: &Store,
    keys: &Keys,
    worker: &str,
    work: &mut dyn JobWork,
    now_ms: Clock<'_>,
    lease_ms: i64,
) -> Result<RunOutcome, StoreError> {
    let Some(claimed) = store.claim_job(worker, now_ms(), lease_ms)? else {
        return Ok(RunOutcome::Idle);
    };
    let job = claimed.job.clone();
    let mut done = claimed.done_steps.clone();
    let resumed_after = done.len();
    let mut state = JobState::Done;
    for step in work.steps(&job) {
        if done.iter().any(|(name, _)| name == step) {
            continue;
        }
        store.heartbeat(&claimed.lease, now_ms(), lease_ms)?;
        match work.run_step(&job, step, &done) {
            StepResult::Done(output) => {
                store.complete_step(&claimed.lease, step, &output, now_ms())?;
                done.push((step.to_owned(), output));
            }
            StepResult::Failed => {
                state = JobState::Failed;
                break;
            }
            StepResult::Abandon => return Ok(RunOutcome::Abandoned { job_id: job.id }),
        }
    }
    let outcome = if state == JobState::Done { Outcome::Ok } else { Outcome::Failed };
    let mut draft = AuditDraft::new(Actor::System, Action::JobFinished, outcome)
        .object(ObjectKind::Job, SafeId::from_number(job.id))
        .count("steps", done.len() as u64);
    if let Some(request) = job.request_id {
        draft = draft.object(ObjectKind::Request, SafeId::from_number(request));
    }
    store.finish_job(&claimed.lease, state, now_ms(), &draft)?;
    checkpoint::write(store, keys)?;
    Ok(RunOutcome::Finished { job_id: job.id, state, resumed_after })
}

#[cfg(test)]
mod tests {
    use std::cell::Cell;

    use super::*;
    use crate::store::NewJob;

    struct Steps {
        ran: Vec<String>,
        abandon_at: Option<&'static str>,
        fail_at: Option<&'static str>,
    }

    impl JobWork for Steps {
        fn steps(&self, _job: &JobRow) -> Vec<&'static str> {
            vec!["find", "delete", "confirm"]
        }

        fn run_step(&mut self, _job: &JobRow, step: &str, done: &[(String, String)]) -> StepResult {
            if self.abandon_at == Some(step) {
                return StepResult::Abandon;
            }
            if self.fail_at == Some(step) {
                return StepResult::Failed;
            }
            self.ran.push(step.to_owned());
            StepResult::Done(format!("{step} after {}", done.len()))
        }
    }

    fn queue(store: &Store) -> i64 {
        let job = NewJob { kind: "erasure".into(), request_id: Some(3), payload: "{}".into(), now_ms: 0 };
        store
            .create_job(&job, &|id| {
                AuditDraft::new(Actor::System, Action::JobCreated, Outcome::Ok)
                    .object(ObjectKind::Job, SafeId::from_number(id))
            })
            .unwrap()
    }

    #[test]
    fn a_crashed_run_resumes_after_the_last_journaled_step_and_checkpoints() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let keys = Keys::from_parts([1; 32], &[&[2; 32]]).unwrap();
        let id = queue(&store);
        let now = Cell::new(1_000);
        let clock = || now.get();
        let mut first = Steps { ran: vec![], abandon_at: Some("delete"), fail_at: None };
        let outcome = run_next(&store, &keys, "a", &mut first, &clock, 5_000).unwrap();
        assert_eq!(outcome, RunOutcome::Abandoned { job_id: id });
        assert_eq!(first.ran, vec!["find"]);
        // Still leased: nobody can take it yet.
        let mut second = Steps { ran: vec![], abandon_at: None, fail_at: None };
        assert_eq!(run_next(&store, &keys, "b", &mut second, &clock, 5_000).unwrap(), RunOutcome::Idle);
        now.set(6_001);
        let outcome = run_next(&store, &keys, "b", &mut second, &clock, 5_000).unwrap();
        assert_eq!(outcome, RunOutcome::Finished { job_id: id, state: JobState::Done, resumed_after: 1 });
        assert_eq!(second.ran, vec!["delete", "confirm"]);
        assert_eq!(store.job(id).unwrap().unwrap().state, JobState::Done);
        let checkpoints = store.checkpoints().unwrap();
        assert_eq!(checkpoints.len(), 1);
        assert_eq!(checkpoints[0].seq, 2, "job created + job finished");
        assert!(crate::audit::verify::verify(&store, &keys.public_key(), &[]).unwrap().ok);
    }

    #[test]
    fn a_failed_step_ends_the_job_as_failed_and_audited() {
        let dir = tempfile::tempdir().unwrap();
        let store = Store::open(dir.path()).unwrap();
        let keys = Keys::from_parts([1; 32], &[&[2; 32]]).unwrap();
        let id = queue(&store);
        let mut work = Steps { ran: vec![], abandon_at: None, fail_at: Some("confirm") };
        let outcome = run_next(&store, &keys, "a", &mut work, &|| 10, 1_000).unwrap();
        assert_eq!(outcome, RunOutcome::Finished { job_id: id, state: JobState::Failed, resumed_after: 0 });
        let mut last = None;
        store
            .scan_audit(None, &mut |r| {
                last = Some(r);
                true
            })
            .unwrap();
        let last = last.unwrap();
        assert_eq!((last.action.as_str(), last.outcome.as_str()), ("job.finished", "failed"));
        assert_eq!(last.counts.get("steps"), Some(&2));
    }
}
