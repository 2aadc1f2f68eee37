//! The typed async Intercom REST client: configuration, models, search builder, pacing, errors and `doctor`.

pub mod client;
pub mod config;
pub mod doctor;
pub mod error;
pub mod httpdate;
pub mod models;
pub mod ratelimit;
pub mod search;

pub use client::{Client, CursorPager, EventPager, ExportDownload, NumberedPager, Pages};
pub use config::{AccessToken, BaseUrl, ClientConfig, ConfigError, IntercomSection, Region};
pub use doctor::{doctor, DoctorReport};
pub use error::{ErrorClass, IntercomError};
pub use ratelimit::RateLimiter;
pub use search::{Op, Query, SearchRequest};
