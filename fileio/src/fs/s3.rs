//! S3 and S3-compatible stores, through object_store's `AmazonS3`.

use std::collections::VecDeque;
use std::fmt;
use std::io::{self, Read, Write};
use std::sync::Arc;
use std::time::Duration;

use bytes::{Bytes, BytesMut};
use futures::{StreamExt, TryStreamExt};
use object_store::aws::{AmazonS3, AmazonS3Builder, AmazonS3ConfigKey};
use object_store::client::HttpErrorKind;
use object_store::list::{PaginatedListOptions, PaginatedListStore};
use object_store::path::Path;
use object_store::{
    BackoffConfig, ClientOptions, GetOptions, GetRange, MultipartUpload, ObjectStore,
    ObjectStoreExt, PutMode, PutPayload, RetryConfig,
};

use super::remote::{ChannelReader, Pending, block_on, into_io, runtime};
use super::{CommitProtocol, FileStatus, FileSystem, FileWriter};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::options::FileIoOptions;

/// Objects (key and size) and directories (prefixes) from a listing.
type Listing = (Vec<(String, u64)>, Vec<String>);

/// Uploads of parts running at once per file being written.
const PARTS_IN_FLIGHT: usize = 2;

/// One S3 bucket (`s3://bucket/key`; `s3a://` and `s3n://` are the same
/// store), through object_store's `AmazonS3`.
///
/// - Reads stream, and range reads serve splits; a broken download is
///   retried from where it stopped.
/// - Directories are key prefixes up to a `/`; globs list their longest
///   literal prefix once ([`FileSystem::list_prefix`]) and match the rest.
/// - Writes go out in one request, or as a multipart upload in parts of
///   [`S3Options::part_size`](crate::S3Options::part_size) for larger
///   files; an object appears, whole, only when its upload completes.
///   [`mkdirs`](FileSystem::mkdirs) does nothing: S3 has no directories.
/// - S3 has no rename ([`rename`](FileSystem::rename) copies, then
///   deletes), so output jobs use [`CommitProtocol::WriteInPlace`]: parts
///   are uploaded under their final names and `_SUCCESS` is written after
///   every part has completed. While a job runs, a reader listing the
///   directory may see some complete parts and no `_SUCCESS` (never a
///   partial part); an overwritten directory's old objects are deleted
///   when the job begins; a failed or abandoned job deletes what it wrote,
///   as far as it still can. Readers that need a complete result wait for
///   `_SUCCESS`, as with Hadoop's S3 committers.
///
/// Configuration comes from [`S3Options`](crate::S3Options) and the
/// standard `AWS_*` variables. Credentials never appear in `Debug`
/// output or in errors.
///
/// # Examples
///
/// ```no_run
/// use sparkling_fileio::{FileIoOptions, Location, S3Options, filesystem_for_with};
///
/// let options = FileIoOptions::new().with_s3(
///     S3Options::new().with_endpoint("http://127.0.0.1:9000").with_allow_http(true),
/// );
/// let logs = Location::parse("s3://logs/2026-11-01/").unwrap();
/// let fs = filesystem_for_with(&logs, &options).unwrap();
/// for entry in fs.list(&logs, false).unwrap() {
///     println!("{} {}", entry.location, entry.size);
/// }
/// ```
#[derive(Clone)]
pub struct S3FileSystem {
    store: Arc<AmazonS3>,
    bucket: String,
    endpoint: Option<String>,
    part_size: usize,
    /// Credentials to scrub from any message that leaves this module.
    secrets: Arc<Vec<String>>,
}

impl fmt::Debug for S3FileSystem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("S3FileSystem")
            .field("bucket", &self.bucket)
            .field("endpoint", &self.endpoint)
            .field("part_size", &self.part_size)
            .finish_non_exhaustive()
    }
}

fn env_flag(name: &str) -> Option<bool> {
    let value = std::env::var(name).ok()?;
    Some(matches!(
        value.trim().to_ascii_lowercase().as_str(),
        "1" | "true" | "yes" | "on"
    ))
}

impl S3FileSystem {
    /// A filesystem for `bucket`, configured by `options` and then the
    /// environment. Nothing is contacted until the first request.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, S3FileSystem, S3Options};
    ///
    /// let options = FileIoOptions::new().with_s3(
    ///     S3Options::new().with_endpoint("http://127.0.0.1:9000").with_allow_http(true)
    ///         .with_credentials("AKID", "top-secret"),
    /// );
    /// let fs = S3FileSystem::new("logs", &options).unwrap();
    /// let shown = format!("{fs:?}");
    /// assert!(shown.contains("logs") && !shown.contains("top-secret"));
    /// ```
    pub fn new(bucket: &str, options: &FileIoOptions) -> Result<S3FileSystem> {
        let s3 = options.s3();
        let http = options.http();
        let invalid = |reason: String| Error::InvalidPath {
            path: format!("s3://{bucket}"),
            reason,
        };
        if bucket.is_empty() {
            return Err(invalid("an s3:// URL needs a bucket".into()));
        }
        let has_credentials = s3.access_key_id.is_some() || s3.is_anonymous();
        let mut builder = AmazonS3Builder::new();
        // The environment first (AWS_ENDPOINT_URL, AWS_REGION, ...), minus
        // what the options set: they win.
        for (name, value) in std::env::vars() {
            let Some(rest) = name.strip_prefix("AWS_") else {
                continue;
            };
            let Ok(key) = format!("aws_{}", rest.to_ascii_lowercase()).parse() else {
                continue;
            };
            let overridden = match key {
                AmazonS3ConfigKey::AccessKeyId
                | AmazonS3ConfigKey::SecretAccessKey
                | AmazonS3ConfigKey::Token => has_credentials,
                AmazonS3ConfigKey::Endpoint | AmazonS3ConfigKey::S3Endpoint => {
                    s3.endpoint().is_some()
                }
                AmazonS3ConfigKey::Region | AmazonS3ConfigKey::DefaultRegion => {
                    s3.region().is_some()
                }
                AmazonS3ConfigKey::Client(_) | AmazonS3ConfigKey::Bucket => true,
                _ => false,
            };
            if !overridden {
                builder = builder.with_config(key, value);
            }
        }
        let allow_http = s3
            .allow_http()
            .or_else(|| env_flag("AWS_ALLOW_HTTP"))
            .unwrap_or(false);
        super::remote::install_tls_provider();
        let client = ClientOptions::new()
            .with_allow_http(allow_http)
            .with_connect_timeout(http.connect_timeout())
            .with_read_timeout(http.read_timeout())
            .with_timeout_disabled();
        let retry = RetryConfig {
            max_retries: http.max_retries() as usize,
            backoff: BackoffConfig {
                init_backoff: http.retry_backoff(),
                max_backoff: Duration::from_secs(10),
                base: 2.0,
            },
            ..RetryConfig::default()
        };
        // One DELETE per object: bulk deletion is not offered by every
        // S3-compatible store.
        builder = builder
            .with_disable_bulk_delete(true)
            .with_bucket_name(bucket)
            .with_client_options(client)
            .with_retry(retry);
        if let Some(region) = s3.region() {
            builder = builder.with_region(region);
        }
        if let Some(endpoint) = s3.endpoint() {
            builder = builder.with_endpoint(endpoint);
        }
        let mut secrets = Vec::new();
        if let (Some(id), Some(secret)) = (&s3.access_key_id, &s3.secret_access_key) {
            builder = builder
                .with_access_key_id(id)
                .with_secret_access_key(secret.expose());
            secrets.push(secret.expose().to_owned());
        }
        if let Some(token) = &s3.session_token {
            builder = builder.with_token(token.expose());
            secrets.push(token.expose().to_owned());
        }
        for name in ["AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN"] {
            if let Ok(value) = std::env::var(name) {
                secrets.push(value);
            }
        }
        secrets.retain(|secret| secret.len() >= 4);
        if s3.is_anonymous() {
            builder = builder.with_skip_signature(true);
        }
        if s3.is_virtual_hosted_style() {
            builder = builder.with_virtual_hosted_style_request(true);
        }
        let endpoint = s3
            .endpoint()
            .map(str::to_owned)
            .or_else(|| std::env::var("AWS_ENDPOINT_URL").ok());
        let secrets = Arc::new(secrets);
        let store = builder
            .build()
            .map_err(|err| invalid(redact(&err.to_string(), &secrets)))?;
        Ok(S3FileSystem {
            store: Arc::new(store),
            bucket: bucket.to_owned(),
            endpoint,
            part_size: s3.part_size(),
            secrets,
        })
    }

    /// The object key of a location: its path without the leading `/`.
    fn key(location: &Location) -> &str {
        location.path().trim_matches('/')
    }

    fn object_path(location: &Location) -> Path {
        let key = Self::key(location);
        Path::parse(key).unwrap_or_else(|_| Path::from(key))
    }

    fn location_of(&self, base: &Location, key: &str) -> Location {
        base.with_path(&format!("/{key}"))
    }

    fn error(&self, location: &Location, err: object_store::Error) -> Error {
        store_error(&location.to_string(), err, &self.secrets)
    }

    /// Up to `limit` keys starting with the text `prefix`, each with its
    /// size, and the directories right below it when `delimited`.
    async fn list_raw(
        store: Arc<AmazonS3>,
        prefix: String,
        delimited: bool,
        limit: Option<usize>,
    ) -> object_store::Result<Listing> {
        let mut files = Vec::new();
        let mut directories = Vec::new();
        let mut page_token = None;
        loop {
            let options = PaginatedListOptions {
                page_token,
                max_keys: limit,
                delimiter: delimited.then(|| "/".into()),
                ..PaginatedListOptions::default()
            };
            let prefix = (!prefix.is_empty()).then_some(prefix.as_str());
            let page = store.list_paginated(prefix, options).await?;
            files.extend(
                page.result
                    .objects
                    .into_iter()
                    .map(|meta| (meta.location.as_ref().to_owned(), meta.size)),
            );
            directories.extend(
                page.result
                    .common_prefixes
                    .into_iter()
                    .map(|path| path.as_ref().to_owned()),
            );
            page_token = page.page_token;
            let enough = limit.is_some_and(|limit| files.len() + directories.len() >= limit);
            if page_token.is_none() || enough {
                return Ok((files, directories));
            }
        }
    }

    fn list_keys(
        &self,
        location: &Location,
        prefix: String,
        delimited: bool,
        limit: Option<usize>,
    ) -> Result<Listing> {
        let store = Arc::clone(&self.store);
        block_on(Self::list_raw(store, prefix, delimited, limit))
            .map_err(|err| self.error(location, err))
    }

    /// The prefix that lists what is inside a directory.
    fn directory_prefix(location: &Location) -> String {
        match Self::key(location) {
            "" => String::new(),
            key => format!("{key}/"),
        }
    }
}

/// Removes every credential from a message.
fn redact(message: &str, secrets: &[String]) -> String {
    secrets.iter().fold(message.to_owned(), |text, secret| {
        text.replace(secret.as_str(), "***")
    })
}

/// The HTTP status in an object_store error message, if it names one.
fn status_in(message: &str) -> Option<u16> {
    let rest = &message[message.find("status code: ")? + "status code: ".len()..];
    rest.get(..3)?.parse().ok()
}

/// The crate's error for an object_store error about `location`.
fn store_error(location: &str, err: object_store::Error, secrets: &[String]) -> Error {
    let path = location.to_owned();
    match err {
        object_store::Error::NotFound { .. } => return Error::NotFound { path },
        object_store::Error::PermissionDenied { .. }
        | object_store::Error::Unauthenticated { .. } => return Error::PermissionDenied { path },
        object_store::Error::AlreadyExists { .. } => return Error::AlreadyExists { path },
        _ => {}
    }
    let message = redact(&err.to_string(), secrets);
    // A request that got no response: refused, reset or timed out.
    let mut source: Option<&(dyn std::error::Error + 'static)> = Some(&err);
    while let Some(inner) = source {
        if let Some(http) = inner.downcast_ref::<object_store::client::HttpError>() {
            let kind = match http.kind() {
                HttpErrorKind::Connect => io::ErrorKind::ConnectionRefused,
                HttpErrorKind::Timeout => io::ErrorKind::TimedOut,
                HttpErrorKind::Request | HttpErrorKind::Interrupted => {
                    io::ErrorKind::ConnectionReset
                }
                _ => break,
            };
            return Error::Io {
                path,
                source: io::Error::new(kind, message),
            };
        }
        source = inner.source();
    }
    let status = status_in(&message);
    if let Some(code @ (401 | 403 | 404)) = status {
        return super::remote::status_error(location, code, "");
    }
    Error::Remote {
        location: path,
        status,
        retryable: status.is_some_and(super::remote::is_transient_status),
        message,
    }
}

/// A file being written: one PUT, or a multipart upload once it outgrows
/// a part.
struct S3Writer {
    fs: S3FileSystem,
    location: Location,
    path: Path,
    buffer: BytesMut,
    upload: Option<Box<dyn MultipartUpload>>,
    in_flight: VecDeque<tokio::task::JoinHandle<object_store::Result<()>>>,
}

impl S3Writer {
    fn upload_part(&mut self, part: Bytes) -> Result<()> {
        if self.upload.is_none() {
            let store = Arc::clone(&self.fs.store);
            let path = self.path.clone();
            let upload = block_on(async move { store.put_multipart(&path).await })
                .map_err(|err| self.fs.error(&self.location, err))?;
            self.upload = Some(upload);
        }
        if let Some(upload) = self.upload.as_mut() {
            let part = upload.put_part(PutPayload::from(part));
            self.in_flight.push_back(runtime().spawn(part));
        }
        while self.in_flight.len() > PARTS_IN_FLIGHT {
            self.wait_oldest()?;
        }
        Ok(())
    }

    fn wait_oldest(&mut self) -> Result<()> {
        let Some(task) = self.in_flight.pop_front() else {
            return Ok(());
        };
        match futures::executor::block_on(task) {
            Ok(result) => result.map_err(|err| self.fs.error(&self.location, err)),
            Err(err) => Err(Error::Remote {
                location: self.location.to_string(),
                status: None,
                message: format!("a part upload failed: {err}"),
                retryable: false,
            }),
        }
    }
}

impl Write for S3Writer {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        while self.buffer.len() >= self.fs.part_size {
            let part = self.buffer.split_to(self.fs.part_size).freeze();
            self.upload_part(part).map_err(into_io)?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl FileWriter for S3Writer {
    fn finish(mut self: Box<Self>) -> Result<()> {
        let rest = self.buffer.split().freeze();
        if self.upload.is_none() {
            let store = Arc::clone(&self.fs.store);
            let path = self.path.clone();
            return block_on(async move { store.put(&path, PutPayload::from(rest)).await })
                .map(drop)
                .map_err(|err| self.fs.error(&self.location, err));
        }
        if !rest.is_empty() {
            self.upload_part(rest)?;
        }
        while !self.in_flight.is_empty() {
            self.wait_oldest()?;
        }
        let mut upload = self.upload.take().expect("a multipart upload was started");
        block_on(async move { upload.complete().await })
            .map(drop)
            .map_err(|err| self.fs.error(&self.location, err))
    }
}

impl Drop for S3Writer {
    fn drop(&mut self) {
        for task in self.in_flight.drain(..) {
            task.abort();
        }
        if let Some(mut upload) = self.upload.take() {
            // Abandoned: release the parts already stored (best effort).
            runtime().spawn(async move {
                let _ = upload.abort().await;
            });
        }
    }
}

impl FileSystem for S3FileSystem {
    fn open_range(
        &self,
        location: &Location,
        start: u64,
        end: Option<u64>,
    ) -> Result<Box<dyn Read + Send>> {
        if end.is_some_and(|end| end <= start) {
            return Ok(Box::new(io::empty()));
        }
        let options = GetOptions {
            range: match end {
                Some(end) => Some(GetRange::Bounded(start..end)),
                None if start > 0 => Some(GetRange::Offset(start)),
                None => None,
            },
            ..GetOptions::default()
        };
        let store = Arc::clone(&self.store);
        let path = Self::object_path(location);
        let result = block_on(async move { store.get_opts(&path, options).await });
        let result = match result {
            Ok(result) => result,
            Err(err) if start > 0 && !matches!(err, object_store::Error::NotFound { .. }) => {
                // A range starting at or past the end reads nothing.
                if self.status(location)?.size <= start {
                    return Ok(Box::new(io::empty()));
                }
                return Err(self.error(location, err));
            }
            Err(err) => return Err(self.error(location, err)),
        };
        let fs = self.clone();
        let location = location.clone();
        Ok(Box::new(ChannelReader::spawn(move |sender| async move {
            let mut stream = result.into_stream();
            let mut pending = Pending::default();
            loop {
                match stream.next().await {
                    Some(Ok(chunk)) => {
                        pending.push(chunk);
                        if sender.wants(pending.len()) && !sender.data(&mut pending).await {
                            return;
                        }
                    }
                    Some(Err(err)) => {
                        sender.fail(into_io(fs.error(&location, err))).await;
                        return;
                    }
                    None => {
                        if sender.data(&mut pending).await {
                            sender.end().await;
                        }
                        return;
                    }
                }
            }
        })))
    }

    fn status(&self, location: &Location) -> Result<FileStatus> {
        let key = Self::key(location);
        let dir = FileStatus {
            location: location.clone(),
            size: 0,
            is_dir: true,
        };
        let prefix = Self::directory_prefix(location);
        if key.is_empty() || location.path().ends_with('/') {
            // The bucket's root (when the bucket exists), or a path that
            // names a directory explicitly.
            let (files, directories) = self.list_keys(location, prefix, false, Some(1))?;
            return if key.is_empty() || !files.is_empty() || !directories.is_empty() {
                Ok(dir)
            } else {
                Err(Error::NotFound {
                    path: location.to_string(),
                })
            };
        }
        // An object, or a directory: a prefix with something below it.
        // Two listings at once, in one round trip: the first key starting
        // with `key` is `key` itself when that object exists. Listing
        // rather than HEAD also copes with stores that fail a HEAD on a
        // directory-like key.
        let store = Arc::clone(&self.store);
        let exact = key.to_owned();
        let (object, below) = block_on(async move {
            futures::future::join(
                Self::list_raw(Arc::clone(&store), exact, false, Some(1)),
                Self::list_raw(store, prefix, false, Some(1)),
            )
            .await
        });
        let object = object.map_err(|err| self.error(location, err));
        let below = below.map_err(|err| self.error(location, err));
        if let Ok((files, _)) = &object {
            if let Some((_, size)) = files.iter().find(|(found, _)| found == key) {
                return Ok(FileStatus {
                    location: location.clone(),
                    size: *size,
                    is_dir: false,
                });
            }
        }
        match (object, below) {
            (_, Ok((files, _))) if !files.is_empty() => Ok(dir),
            (Ok(_), Ok(_)) => Err(Error::NotFound {
                path: location.to_string(),
            }),
            // Listing refused: reading may still be allowed.
            (Err(Error::PermissionDenied { .. }), _) | (_, Err(Error::PermissionDenied { .. })) => {
                let store = Arc::clone(&self.store);
                let path = Self::object_path(location);
                let meta = block_on(async move { store.head(&path).await })
                    .map_err(|err| self.error(location, err))?;
                Ok(FileStatus {
                    location: location.clone(),
                    size: meta.size,
                    is_dir: false,
                })
            }
            (Err(err), _) | (_, Err(err)) => Err(err),
        }
    }

    fn list(&self, location: &Location, recursive: bool) -> Result<Vec<FileStatus>> {
        let (files, directories) =
            self.list_keys(location, Self::directory_prefix(location), !recursive, None)?;
        let mut out: Vec<FileStatus> = files
            .into_iter()
            .filter(|(key, _)| !key.ends_with('/'))
            .map(|(key, size)| FileStatus {
                location: self.location_of(location, &key),
                size,
                is_dir: false,
            })
            .chain(directories.into_iter().map(|prefix| FileStatus {
                location: self.location_of(location, prefix.trim_end_matches('/')),
                size: 0,
                is_dir: true,
            }))
            .collect();
        out.sort_by(|a, b| a.location.path().cmp(b.location.path()));
        Ok(out)
    }

    fn create(&self, location: &Location) -> Result<Box<dyn FileWriter>> {
        if Self::key(location).is_empty() {
            return Err(Error::InvalidPath {
                path: location.to_string(),
                reason: "an object needs a key, not just a bucket".into(),
            });
        }
        Ok(Box::new(S3Writer {
            fs: self.clone(),
            location: location.clone(),
            path: Self::object_path(location),
            buffer: BytesMut::new(),
            upload: None,
            in_flight: VecDeque::new(),
        }))
    }

    fn create_new(&self, location: &Location, contents: &[u8]) -> Result<()> {
        let store = Arc::clone(&self.store);
        let path = Self::object_path(location);
        let payload = PutPayload::from(Bytes::copy_from_slice(contents));
        // `If-None-Match: *`: the store refuses to replace an object.
        block_on(async move { store.put_opts(&path, payload, PutMode::Create.into()).await })
            .map(drop)
            .map_err(|err| self.error(location, err))
    }

    fn rename(&self, from: &Location, to: &Location) -> Result<()> {
        let status = self.status(from)?;
        let moves: Vec<(Location, Location)> = if status.is_dir {
            let prefix = format!("{}/", from.path().trim_end_matches('/'));
            self.list(from, true)?
                .into_iter()
                .map(|file| {
                    let relative = file.location.path()[prefix.len()..].to_owned();
                    (file.location, to.join(&relative))
                })
                .collect()
        } else {
            vec![(from.clone(), to.clone())]
        };
        for (source, target) in moves {
            let store = Arc::clone(&self.store);
            let (a, b) = (Self::object_path(&source), Self::object_path(&target));
            block_on(async move {
                store.copy(&a, &b).await?;
                store.delete(&a).await
            })
            .map_err(|err| self.error(&source, err))?;
        }
        Ok(())
    }

    fn delete(&self, location: &Location, recursive: bool) -> Result<()> {
        let (below, _) =
            self.list_keys(location, Self::directory_prefix(location), false, Some(1))?;
        if !below.is_empty() || Self::key(location).is_empty() {
            if !recursive && !below.is_empty() {
                return Err(Error::Io {
                    path: location.to_string(),
                    source: io::Error::new(
                        io::ErrorKind::DirectoryNotEmpty,
                        "the directory is not empty",
                    ),
                });
            }
            let store = Arc::clone(&self.store);
            let prefix = Self::directory_prefix(location);
            let prefix = (!prefix.is_empty()).then(|| Path::from(prefix.trim_end_matches('/')));
            block_on(async move {
                let paths: Vec<Path> = store
                    .list(prefix.as_ref())
                    .map(|meta| meta.map(|m| m.location))
                    .try_collect()
                    .await?;
                // Several objects at once.
                futures::stream::iter(paths)
                    .map(|path| {
                        let store = Arc::clone(&store);
                        async move {
                            match store.delete(&path).await {
                                Err(object_store::Error::NotFound { .. }) => Ok(()),
                                other => other,
                            }
                        }
                    })
                    .buffer_unordered(8)
                    .try_collect::<Vec<()>>()
                    .await
                    .map(drop)
            })
            .map_err(|err| self.error(location, err))?;
        }
        let key = Self::key(location);
        if key.is_empty() {
            return Ok(());
        }
        // Only an object that exists is deleted (some stores fail a DELETE
        // on a directory-like key).
        let (objects, _) = self.list_keys(location, key.to_owned(), false, Some(1))?;
        if !objects.iter().any(|(found, _)| found == key) {
            return Ok(());
        }
        let store = Arc::clone(&self.store);
        let path = Self::object_path(location);
        match block_on(async move { store.delete(&path).await }) {
            Ok(()) | Err(object_store::Error::NotFound { .. }) => Ok(()),
            Err(err) => Err(self.error(location, err)),
        }
    }

    fn mkdirs(&self, _location: &Location) -> Result<()> {
        Ok(())
    }

    fn commit_protocol(&self) -> CommitProtocol {
        CommitProtocol::WriteInPlace
    }

    fn list_prefix(&self, prefix: &Location) -> Result<Option<Vec<FileStatus>>> {
        let text = prefix.path().trim_start_matches('/').to_owned();
        let (files, _) = self.list_keys(prefix, text, false, None)?;
        let mut out: Vec<FileStatus> = files
            .into_iter()
            .filter(|(key, _)| !key.ends_with('/'))
            .map(|(key, size)| FileStatus {
                location: self.location_of(prefix, &key),
                size,
                is_dir: false,
            })
            .collect();
        out.sort_by(|a, b| a.location.path().cmp(b.location.path()));
        Ok(Some(out))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secrets_are_scrubbed_from_messages() {
        let secrets = vec!["s3cr3t-key".to_owned(), "t0ken-value".to_owned()];
        let text = redact("bad signature for s3cr3t-key with t0ken-value", &secrets);
        assert_eq!(text, "bad signature for *** with ***");
    }

    #[test]
    fn statuses_are_read_from_store_messages() {
        let message = "Error performing GET in 1ms - Server returned non-2xx status code: 503 Service Unavailable";
        assert_eq!(status_in(message), Some(503));
        assert_eq!(status_in("connection refused"), None);
    }

    #[test]
    fn keys_drop_the_leading_and_trailing_slashes() {
        let location = Location::parse("s3://bucket/dir/file.txt").unwrap();
        assert_eq!(S3FileSystem::key(&location), "dir/file.txt");
        let dir = Location::parse("s3://bucket/dir/").unwrap();
        assert_eq!(S3FileSystem::directory_prefix(&dir), "dir/");
        let root = Location::parse("s3://bucket").unwrap();
        assert_eq!(S3FileSystem::directory_prefix(&root), "");
    }
}
