//! Options for the remote filesystems: S3 credentials and endpoint, the
//! HDFS user and NameNode addresses, HTTP timeouts and retries; and how
//! reading treats an output directory a save left unfinished.
//!
//! Every setting left unset falls back to the environment (the standard
//! `AWS_*` variables, `HADOOP_USER_NAME`) and then to a built-in default;
//! a setting made here wins over the environment. Secrets never appear in
//! `Debug` output.

use std::collections::BTreeMap;
use std::fmt;
use std::time::Duration;

/// A secret string: compared and hashed like a string, but printed as
/// `"***"`.
#[derive(Clone, PartialEq, Eq, Hash)]
pub(crate) struct Secret(String);

impl Secret {
    #[cfg(feature = "s3")]
    pub(crate) fn expose(&self) -> &str {
        &self.0
    }
}

impl fmt::Debug for Secret {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("\"***\"")
    }
}

/// Everything the remote filesystems can be configured with, and how path
/// expressions treat unfinished output directories
/// ([`IncompleteOutput`]); the engine's Context builder carries one and
/// passes it to [`filesystem_for_with`](crate::filesystem_for_with) and
/// the `*_with` functions.
///
/// The default leaves every setting to the environment and built-in
/// defaults, which is what [`filesystem_for`](crate::filesystem_for) uses.
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sparkling_fileio::{FileIoOptions, HdfsOptions, HttpOptions, S3Options};
///
/// let options = FileIoOptions::new()
///     .with_s3(S3Options::new().with_endpoint("http://127.0.0.1:9000").with_allow_http(true))
///     .with_hdfs(HdfsOptions::new().with_user("etl"))
///     .with_http(HttpOptions::new().with_read_timeout(Duration::from_secs(5)));
/// assert_eq!(options.http().read_timeout(), Duration::from_secs(5));
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct FileIoOptions {
    s3: S3Options,
    hdfs: HdfsOptions,
    http: HttpOptions,
    incomplete_output: IncompleteOutput,
}

/// What [`expand_with`](crate::expand_with) does with a directory holding
/// a save's staging data (`_temporary`) and no `_SUCCESS` marker: what a
/// job killed while writing in place leaves, or Spark's and Hadoop's
/// output while (or after) their job dies.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::{Error, FileIoOptions, IncompleteOutput, expand, expand_with};
///
/// let dir = tempfile::tempdir().unwrap();
/// std::fs::create_dir(dir.path().join("_temporary")).unwrap();
/// std::fs::write(dir.path().join("part-00000"), "x\n").unwrap();
/// let target = dir.path().to_str().unwrap();
/// assert!(matches!(expand(target), Err(Error::IncompleteOutput { .. })));
/// let as_spark = FileIoOptions::new().with_incomplete_output(IncompleteOutput::ReadVisibleFiles);
/// assert_eq!(expand_with(target, &as_spark).unwrap().len(), 1);
/// ```
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum IncompleteOutput {
    /// [`Error::IncompleteOutput`](crate::Error::IncompleteOutput) naming
    /// the directory (the default): a partial result never reads as a
    /// whole one.
    #[default]
    Refuse,
    /// Read the files a listing shows, skipping the hidden staging data,
    /// as Spark does: possibly a part of the output, or none of it.
    ReadVisibleFiles,
}

impl FileIoOptions {
    /// Options that leave everything to the environment and defaults.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::FileIoOptions;
    ///
    /// assert_eq!(FileIoOptions::new(), FileIoOptions::default());
    /// ```
    pub fn new() -> FileIoOptions {
        FileIoOptions::default()
    }

    /// Replaces the S3 options.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, S3Options};
    ///
    /// let options = FileIoOptions::new().with_s3(S3Options::new().with_region("eu-west-1"));
    /// assert_eq!(options.s3().region(), Some("eu-west-1"));
    /// ```
    #[must_use]
    pub fn with_s3(mut self, s3: S3Options) -> FileIoOptions {
        self.s3 = s3;
        self
    }

    /// Replaces the HDFS options.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, HdfsOptions};
    ///
    /// let options = FileIoOptions::new().with_hdfs(HdfsOptions::new().with_user("me"));
    /// assert_eq!(options.hdfs().user(), Some("me"));
    /// ```
    #[must_use]
    pub fn with_hdfs(mut self, hdfs: HdfsOptions) -> FileIoOptions {
        self.hdfs = hdfs;
        self
    }

    /// Replaces the HTTP options (timeouts and retries, used by every
    /// remote filesystem).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, HttpOptions};
    ///
    /// let options = FileIoOptions::new().with_http(HttpOptions::new().with_max_retries(0));
    /// assert_eq!(options.http().max_retries(), 0);
    /// ```
    #[must_use]
    pub fn with_http(mut self, http: HttpOptions) -> FileIoOptions {
        self.http = http;
        self
    }

    /// Sets what reading does with an unfinished output directory
    /// ([`IncompleteOutput::Refuse`] unless set).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, IncompleteOutput};
    ///
    /// let options = FileIoOptions::new().with_incomplete_output(IncompleteOutput::ReadVisibleFiles);
    /// assert_eq!(options.incomplete_output(), IncompleteOutput::ReadVisibleFiles);
    /// ```
    #[must_use]
    pub fn with_incomplete_output(mut self, policy: IncompleteOutput) -> FileIoOptions {
        self.incomplete_output = policy;
        self
    }

    /// What reading does with an unfinished output directory.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, IncompleteOutput};
    ///
    /// assert_eq!(FileIoOptions::new().incomplete_output(), IncompleteOutput::Refuse);
    /// ```
    pub fn incomplete_output(&self) -> IncompleteOutput {
        self.incomplete_output
    }

    /// The S3 options.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::FileIoOptions;
    ///
    /// assert!(!FileIoOptions::new().s3().is_anonymous());
    /// ```
    pub fn s3(&self) -> &S3Options {
        &self.s3
    }

    /// The HDFS options.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::FileIoOptions;
    ///
    /// assert_eq!(FileIoOptions::new().hdfs().user(), None);
    /// ```
    pub fn hdfs(&self) -> &HdfsOptions {
        &self.hdfs
    }

    /// The HTTP options.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::FileIoOptions;
    ///
    /// assert_eq!(FileIoOptions::new().http().max_retries(), 3);
    /// ```
    pub fn http(&self) -> &HttpOptions {
        &self.http
    }
}

/// Timeouts, redirects and retries for HTTP(S) and for the HTTP-based S3
/// and WebHDFS clients.
///
/// A transient failure (a refused or reset connection, a timeout, HTTP 429
/// or 5xx, a body cut short) is retried up to [`max_retries`] times with
/// exponential backoff from [`retry_backoff`]; a broken download resumes
/// where it stopped rather than starting again.
///
/// [`max_retries`]: HttpOptions::max_retries
/// [`retry_backoff`]: HttpOptions::retry_backoff
///
/// # Examples
///
/// ```
/// use std::time::Duration;
/// use sparkling_fileio::HttpOptions;
///
/// let http = HttpOptions::new();
/// assert_eq!(http.connect_timeout(), Duration::from_secs(10));
/// assert_eq!(http.read_timeout(), Duration::from_secs(60));
/// assert_eq!((http.max_retries(), http.max_redirects()), (3, 10));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct HttpOptions {
    connect_timeout: Duration,
    read_timeout: Duration,
    max_retries: u32,
    retry_backoff: Duration,
    max_redirects: usize,
}

impl Default for HttpOptions {
    fn default() -> HttpOptions {
        HttpOptions {
            connect_timeout: Duration::from_secs(10),
            read_timeout: Duration::from_secs(60),
            max_retries: 3,
            retry_backoff: Duration::from_millis(200),
            max_redirects: 10,
        }
    }
}

impl HttpOptions {
    /// The defaults: 10 s to connect, 60 s without data before a read times
    /// out, 3 retries from 200 ms backoff, 10 redirects.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert_eq!(HttpOptions::new(), HttpOptions::default());
    /// ```
    pub fn new() -> HttpOptions {
        HttpOptions::default()
    }

    /// The longest wait for a connection to be established.
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling_fileio::HttpOptions;
    ///
    /// let http = HttpOptions::new().with_connect_timeout(Duration::from_secs(1));
    /// assert_eq!(http.connect_timeout(), Duration::from_secs(1));
    /// ```
    #[must_use]
    pub fn with_connect_timeout(mut self, timeout: Duration) -> HttpOptions {
        self.connect_timeout = timeout;
        self
    }

    /// The longest wait for a response to start or for the next bytes of a
    /// body: a server that stalls longer fails the attempt (and is retried).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling_fileio::HttpOptions;
    ///
    /// let http = HttpOptions::new().with_read_timeout(Duration::from_millis(500));
    /// assert_eq!(http.read_timeout(), Duration::from_millis(500));
    /// ```
    #[must_use]
    pub fn with_read_timeout(mut self, timeout: Duration) -> HttpOptions {
        self.read_timeout = timeout;
        self
    }

    /// How many times a transient failure is retried (0: never).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert_eq!(HttpOptions::new().with_max_retries(5).max_retries(), 5);
    /// ```
    #[must_use]
    pub fn with_max_retries(mut self, retries: u32) -> HttpOptions {
        self.max_retries = retries;
        self
    }

    /// The wait before the first retry; it doubles for each further retry
    /// (up to 10 s).
    ///
    /// # Examples
    ///
    /// ```
    /// use std::time::Duration;
    /// use sparkling_fileio::HttpOptions;
    ///
    /// let http = HttpOptions::new().with_retry_backoff(Duration::from_millis(10));
    /// assert_eq!(http.retry_backoff(), Duration::from_millis(10));
    /// ```
    #[must_use]
    pub fn with_retry_backoff(mut self, backoff: Duration) -> HttpOptions {
        self.retry_backoff = backoff;
        self
    }

    /// How many redirects a request follows before failing.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert_eq!(HttpOptions::new().with_max_redirects(2).max_redirects(), 2);
    /// ```
    #[must_use]
    pub fn with_max_redirects(mut self, redirects: usize) -> HttpOptions {
        self.max_redirects = redirects;
        self
    }

    /// See [`with_connect_timeout`](HttpOptions::with_connect_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert!(HttpOptions::new().connect_timeout().as_secs() > 0);
    /// ```
    pub fn connect_timeout(&self) -> Duration {
        self.connect_timeout
    }

    /// See [`with_read_timeout`](HttpOptions::with_read_timeout).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert!(HttpOptions::new().read_timeout().as_secs() > 0);
    /// ```
    pub fn read_timeout(&self) -> Duration {
        self.read_timeout
    }

    /// See [`with_max_retries`](HttpOptions::with_max_retries).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert_eq!(HttpOptions::new().max_retries(), 3);
    /// ```
    pub fn max_retries(&self) -> u32 {
        self.max_retries
    }

    /// See [`with_retry_backoff`](HttpOptions::with_retry_backoff).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert_eq!(HttpOptions::new().retry_backoff().as_millis(), 200);
    /// ```
    pub fn retry_backoff(&self) -> Duration {
        self.retry_backoff
    }

    /// See [`with_max_redirects`](HttpOptions::with_max_redirects).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HttpOptions;
    ///
    /// assert_eq!(HttpOptions::new().max_redirects(), 10);
    /// ```
    pub fn max_redirects(&self) -> usize {
        self.max_redirects
    }

    /// The wait before retry number `retry` (counting from 0).
    #[cfg(any(feature = "http", feature = "hdfs"))]
    pub(crate) fn backoff(&self, retry: u32) -> Duration {
        let factor = 1u32.checked_shl(retry.min(16)).unwrap_or(u32::MAX);
        self.retry_backoff
            .saturating_mul(factor)
            .min(Duration::from_secs(10))
    }
}

/// How to reach S3 (`s3://`, `s3a://`, `s3n://`): every setting left unset
/// comes from the standard variables `AWS_ACCESS_KEY_ID`,
/// `AWS_SECRET_ACCESS_KEY`, `AWS_SESSION_TOKEN`, `AWS_REGION` (or
/// `AWS_DEFAULT_REGION`), `AWS_ENDPOINT_URL` (or `AWS_ENDPOINT`, for
/// S3-compatible stores) and `AWS_ALLOW_HTTP`, then from the usual AWS
/// credential chain. Requests use path-style addressing
/// (`endpoint/bucket/key`) unless virtual-hosted style is asked for.
///
/// The secret key and session token are never shown by `Debug`.
///
/// # Examples
///
/// ```
/// use sparkling_fileio::S3Options;
///
/// let s3 = S3Options::new()
///     .with_endpoint("http://127.0.0.1:9000")
///     .with_allow_http(true)
///     .with_credentials("AKIDEXAMPLE", "wJalrXUtnFEMI/K7MDENG");
/// let shown = format!("{s3:?}");
/// assert!(shown.contains("AKIDEXAMPLE") && !shown.contains("wJalrXUtnFEMI"));
/// ```
#[derive(Debug, Clone, PartialEq, Eq, Hash)]
pub struct S3Options {
    pub(crate) access_key_id: Option<String>,
    pub(crate) secret_access_key: Option<Secret>,
    pub(crate) session_token: Option<Secret>,
    region: Option<String>,
    endpoint: Option<String>,
    allow_http: Option<bool>,
    anonymous: bool,
    virtual_hosted_style: bool,
    part_size: usize,
}

impl Default for S3Options {
    fn default() -> S3Options {
        S3Options {
            access_key_id: None,
            secret_access_key: None,
            session_token: None,
            region: None,
            endpoint: None,
            allow_http: None,
            anonymous: false,
            virtual_hosted_style: false,
            part_size: 8 * 1024 * 1024,
        }
    }
}

impl S3Options {
    /// Options that leave everything to the environment.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().endpoint(), None);
    /// ```
    pub fn new() -> S3Options {
        S3Options::default()
    }

    /// Static credentials: an access key id and its secret.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// let s3 = S3Options::new().with_credentials("AKID", "secret");
    /// assert_eq!(s3.access_key_id(), Some("AKID"));
    /// ```
    #[must_use]
    pub fn with_credentials(
        mut self,
        access_key_id: impl Into<String>,
        secret_access_key: impl Into<String>,
    ) -> S3Options {
        self.access_key_id = Some(access_key_id.into());
        self.secret_access_key = Some(Secret(secret_access_key.into()));
        self
    }

    /// A session token for temporary credentials.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// let s3 = S3Options::new().with_session_token("FwoGZXIvYXdzE");
    /// assert!(!format!("{s3:?}").contains("FwoGZXIvYXdzE"));
    /// ```
    #[must_use]
    pub fn with_session_token(mut self, token: impl Into<String>) -> S3Options {
        self.session_token = Some(Secret(token.into()));
        self
    }

    /// The region (default `us-east-1`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().with_region("eu-central-1").region(), Some("eu-central-1"));
    /// ```
    #[must_use]
    pub fn with_region(mut self, region: impl Into<String>) -> S3Options {
        self.region = Some(region.into());
        self
    }

    /// The endpoint of an S3-compatible store, e.g.
    /// `http://127.0.0.1:9000`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// let s3 = S3Options::new().with_endpoint("https://storage.example");
    /// assert_eq!(s3.endpoint(), Some("https://storage.example"));
    /// ```
    #[must_use]
    pub fn with_endpoint(mut self, endpoint: impl Into<String>) -> S3Options {
        self.endpoint = Some(endpoint.into());
        self
    }

    /// Whether plain `http://` endpoints are allowed (default: no, unless
    /// `AWS_ALLOW_HTTP=true`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().with_allow_http(true).allow_http(), Some(true));
    /// ```
    #[must_use]
    pub fn with_allow_http(mut self, allow: bool) -> S3Options {
        self.allow_http = Some(allow);
        self
    }

    /// Sends unsigned requests, for public buckets; no credentials are
    /// looked up.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert!(S3Options::new().with_anonymous(true).is_anonymous());
    /// ```
    #[must_use]
    pub fn with_anonymous(mut self, anonymous: bool) -> S3Options {
        self.anonymous = anonymous;
        self
    }

    /// Addresses buckets as `bucket.endpoint` instead of `endpoint/bucket`.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert!(S3Options::new().with_virtual_hosted_style(true).is_virtual_hosted_style());
    /// ```
    #[must_use]
    pub fn with_virtual_hosted_style(mut self, virtual_hosted: bool) -> S3Options {
        self.virtual_hosted_style = virtual_hosted;
        self
    }

    /// The size of the parts of a multipart upload (default 8 MiB; at
    /// least 5 MiB, S3's minimum). A file smaller than one part is written
    /// with a single request.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().with_part_size(1).part_size(), 5 * 1024 * 1024);
    /// assert_eq!(S3Options::new().part_size(), 8 * 1024 * 1024);
    /// ```
    #[must_use]
    pub fn with_part_size(mut self, bytes: usize) -> S3Options {
        self.part_size = bytes.max(5 * 1024 * 1024);
        self
    }

    /// The access key id set here, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().access_key_id(), None);
    /// ```
    pub fn access_key_id(&self) -> Option<&str> {
        self.access_key_id.as_deref()
    }

    /// The region set here, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().region(), None);
    /// ```
    pub fn region(&self) -> Option<&str> {
        self.region.as_deref()
    }

    /// The endpoint set here, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().endpoint(), None);
    /// ```
    pub fn endpoint(&self) -> Option<&str> {
        self.endpoint.as_deref()
    }

    /// Whether `http://` endpoints are allowed, if set here.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert_eq!(S3Options::new().allow_http(), None);
    /// ```
    pub fn allow_http(&self) -> Option<bool> {
        self.allow_http
    }

    /// Whether requests are unsigned.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert!(!S3Options::new().is_anonymous());
    /// ```
    pub fn is_anonymous(&self) -> bool {
        self.anonymous
    }

    /// Whether buckets are addressed virtual-hosted style.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert!(!S3Options::new().is_virtual_hosted_style());
    /// ```
    pub fn is_virtual_hosted_style(&self) -> bool {
        self.virtual_hosted_style
    }

    /// The multipart upload part size.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::S3Options;
    ///
    /// assert!(S3Options::new().part_size() >= 5 * 1024 * 1024);
    /// ```
    pub fn part_size(&self) -> usize {
        self.part_size
    }
}

/// How to reach HDFS through WebHDFS (`hdfs://` and `webhdfs://`).
///
/// `webhdfs://host:port` names the NameNode's HTTP address (Hadoop's
/// convention; 9870 in Hadoop 3, 50070 in Hadoop 2). `hdfs://host:port`
/// is read the same way — the port is taken as the HTTP port, so
/// `hdfs://nn:9870/path` works as written — unless the authority is mapped
/// to an HTTP address with [`with_namenode_http`], for URLs that carry the
/// NameNode's RPC port (`fs.defaultFS`, e.g. `hdfs://nn:8020`). Without a
/// port, 9870 is used.
///
/// The user (`user.name`, simple authentication) is the one set here, else
/// `HADOOP_USER_NAME`, else the login user (`USER`).
///
/// [`with_namenode_http`]: HdfsOptions::with_namenode_http
///
/// # Examples
///
/// ```
/// use sparkling_fileio::HdfsOptions;
///
/// let hdfs = HdfsOptions::new().with_user("etl").with_namenode_http("nn:8020", "nn:9870");
/// assert_eq!(hdfs.http_authority("nn:8020"), "nn:9870");
/// assert_eq!(hdfs.http_authority("nn:50070"), "nn:50070");
/// assert_eq!(hdfs.http_authority("nn"), "nn:9870");
/// ```
#[derive(Debug, Clone, Default, PartialEq, Eq, Hash)]
pub struct HdfsOptions {
    user: Option<String>,
    namenode_http: BTreeMap<String, String>,
}

impl HdfsOptions {
    /// Options that leave the user to the environment and map no address.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HdfsOptions;
    ///
    /// assert_eq!(HdfsOptions::new(), HdfsOptions::default());
    /// ```
    pub fn new() -> HdfsOptions {
        HdfsOptions::default()
    }

    /// The user to act as (wins over `HADOOP_USER_NAME`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HdfsOptions;
    ///
    /// assert_eq!(HdfsOptions::new().with_user("hdfs").user(), Some("hdfs"));
    /// ```
    #[must_use]
    pub fn with_user(mut self, user: impl Into<String>) -> HdfsOptions {
        self.user = Some(user.into());
        self
    }

    /// Maps the authority of `hdfs://` URLs (`host:rpc_port`) to the
    /// NameNode's WebHDFS address (`host:http_port`).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HdfsOptions;
    ///
    /// let hdfs = HdfsOptions::new().with_namenode_http("10.0.0.1:8020", "10.0.0.1:9870");
    /// assert_eq!(hdfs.http_authority("10.0.0.1:8020"), "10.0.0.1:9870");
    /// ```
    #[must_use]
    pub fn with_namenode_http(
        mut self,
        rpc_authority: impl Into<String>,
        http_authority: impl Into<String>,
    ) -> HdfsOptions {
        self.namenode_http
            .insert(rpc_authority.into(), http_authority.into());
        self
    }

    /// The user set here, if any.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HdfsOptions;
    ///
    /// assert_eq!(HdfsOptions::new().user(), None);
    /// ```
    pub fn user(&self) -> Option<&str> {
        self.user.as_deref()
    }

    /// The WebHDFS `host:port` serving the `hdfs://` authority
    /// `authority` (see the type's documentation).
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::HdfsOptions;
    ///
    /// assert_eq!(HdfsOptions::new().http_authority("127.0.0.1:9870"), "127.0.0.1:9870");
    /// ```
    pub fn http_authority(&self, authority: &str) -> String {
        if let Some(mapped) = self.namenode_http.get(authority) {
            return mapped.clone();
        }
        let has_port = authority
            .rsplit_once(':')
            .is_some_and(|(_, port)| !port.is_empty() && port.bytes().all(|b| b.is_ascii_digit()))
            && !authority.ends_with(']');
        if has_port || authority.is_empty() {
            authority.to_owned()
        } else {
            format!("{authority}:9870")
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg(any(feature = "http", feature = "hdfs"))]
    #[test]
    fn backoff_doubles_and_is_capped() {
        let http = HttpOptions::new().with_retry_backoff(Duration::from_millis(100));
        assert_eq!(http.backoff(0), Duration::from_millis(100));
        assert_eq!(http.backoff(3), Duration::from_millis(800));
        assert_eq!(http.backoff(40), Duration::from_secs(10));
    }

    #[test]
    fn secrets_are_hidden_from_debug_of_the_whole_options() {
        let options = FileIoOptions::new().with_s3(
            S3Options::new()
                .with_credentials("id", "very-secret-key")
                .with_session_token("very-secret-token"),
        );
        let shown = format!("{options:?}");
        assert!(!shown.contains("very-secret"), "{shown}");
        assert!(shown.contains("***"), "{shown}");
    }
}
