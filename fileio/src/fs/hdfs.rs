//! HDFS through the WebHDFS REST API (`/webhdfs/v1`), over reqwest.

use std::io::{self, Read, Write};
use std::sync::Arc;

use bytes::Bytes;
use reqwest::header::LOCATION;
use reqwest::{Client, Method, Url};
use serde_json::Value;
use tokio::sync::mpsc;

use super::http_transport::{self, BoxFuture, Opened, RangeOpener, error_body, send, with_retries};
use super::remote::{self, block_on, runtime};
use super::{FileStatus, FileSystem, FileWriter};
use crate::error::{Error, Result};
use crate::location::Location;
use crate::options::{FileIoOptions, HttpOptions};

/// Bytes buffered by a writer before they are sent to the DataNode.
const WRITE_CHUNK: usize = 1024 * 1024;

/// HDFS (`hdfs://` and `webhdfs://`) through WebHDFS: OPEN with
/// offset/length (following the redirect to a DataNode) for splits,
/// GETFILESTATUS and LISTSTATUS for globs and directories, CREATE in two
/// steps, MKDIRS, RENAME and DELETE, so output jobs commit atomically by
/// rename as on a local disk.
///
/// The authority is the NameNode's HTTP address; see
/// [`HdfsOptions`](crate::HdfsOptions) for `hdfs://` URLs carrying the RPC
/// port and for the user. A `RemoteException` answer becomes the matching
/// error naming the path: `FileNotFoundException` is
/// [`Error::NotFound`], `AccessControlException`
/// [`Error::PermissionDenied`], `FileAlreadyExistsException`
/// [`Error::AlreadyExists`], anything else [`Error::Remote`] with the
/// exception's name and message.
///
/// # Examples
///
/// ```no_run
/// use sparkling_fileio::{FileIoOptions, Location, filesystem_for_with};
///
/// let dir = Location::parse("hdfs://127.0.0.1:9870/user/me").unwrap();
/// let fs = filesystem_for_with(&dir, &FileIoOptions::new()).unwrap();
/// for entry in fs.list(&dir, false).unwrap() {
///     println!("{} {}", entry.location, entry.size);
/// }
/// ```
#[derive(Clone)]
pub struct HdfsFileSystem {
    /// Follows redirects (OPEN goes to a DataNode).
    client: Client,
    /// Does not follow redirects (CREATE sends the data only to the
    /// DataNode it is told).
    manual: Client,
    /// `http://namenode:port/webhdfs/v1`
    base: Url,
    user: String,
    options: HttpOptions,
}

impl std::fmt::Debug for HdfsFileSystem {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("HdfsFileSystem")
            .field("webhdfs", &self.base.as_str())
            .field("user", &self.user)
            .finish_non_exhaustive()
    }
}

impl HdfsFileSystem {
    /// A filesystem for the NameNode that `location` (an `hdfs://` or
    /// `webhdfs://` URL) names.
    ///
    /// # Examples
    ///
    /// ```
    /// use sparkling_fileio::{FileIoOptions, HdfsFileSystem, HdfsOptions, Location};
    ///
    /// let options = FileIoOptions::new()
    ///     .with_hdfs(HdfsOptions::new().with_namenode_http("nn:8020", "nn:9870"));
    /// let fs = HdfsFileSystem::new(&Location::parse("hdfs://nn:8020/x").unwrap(), &options).unwrap();
    /// assert!(format!("{fs:?}").contains("http://nn:9870/webhdfs/v1"));
    /// ```
    pub fn new(location: &Location, options: &FileIoOptions) -> Result<HdfsFileSystem> {
        let authority = options.hdfs().http_authority(location.authority());
        let base = Url::parse(&format!("http://{authority}/webhdfs/v1")).map_err(|err| {
            Error::InvalidPath {
                path: location.to_string(),
                reason: format!("not a NameNode address: {err}"),
            }
        })?;
        let user = options
            .hdfs()
            .user()
            .map(str::to_owned)
            .or_else(|| std::env::var("HADOOP_USER_NAME").ok())
            .or_else(|| std::env::var("USER").ok())
            .unwrap_or_else(|| "hadoop".to_owned());
        Ok(HdfsFileSystem {
            client: http_transport::client(options.http(), true)?,
            manual: http_transport::client(options.http(), false)?,
            base,
            user,
            options: options.http().clone(),
        })
    }

    /// The HDFS path of a location (`/` for none).
    fn hdfs_path(location: &Location) -> &str {
        match location.path() {
            "" => "/",
            path => path,
        }
    }

    /// The WebHDFS URL for an operation on `location`.
    fn url(&self, location: &Location, op: &str, params: &[(&str, String)]) -> Url {
        let mut url = self.base.clone();
        if let Ok(mut segments) = url.path_segments_mut() {
            segments.extend(
                Self::hdfs_path(location)
                    .split('/')
                    .filter(|part| !part.is_empty()),
            );
        }
        {
            let mut query = url.query_pairs_mut();
            query.append_pair("op", op);
            query.append_pair("user.name", &self.user);
            for (key, value) in params {
                query.append_pair(key, value);
            }
        }
        url
    }

    /// Runs a metadata operation (retried when transient) and returns its
    /// JSON answer (`null` for an empty one).
    fn call(
        &self,
        method: Method,
        location: &Location,
        op: &str,
        params: &[(&str, String)],
    ) -> Result<Value> {
        let url = self.url(location, op, params);
        let client = self.client.clone();
        let options = self.options.clone();
        let path = location.to_string();
        block_on(async move {
            with_retries(&options, || {
                let request = client.request(method.clone(), url.clone());
                let (options, path) = (options.clone(), path.clone());
                async move {
                    let response = send(request, &path, &options).await?;
                    let status = response.status().as_u16();
                    let body = error_body(response, &options).await;
                    if !(200..300).contains(&status) {
                        return Err(remote_exception(&path, status, &body));
                    }
                    if body.trim().is_empty() {
                        return Ok(Value::Null);
                    }
                    serde_json::from_str(&body).map_err(|err| Error::Remote {
                        location: path,
                        status: Some(status),
                        message: format!("not a WebHDFS answer ({err})"),
                        retryable: false,
                    })
                }
            })
            .await
        })
    }

    fn boolean(
        &self,
        method: Method,
        location: &Location,
        op: &str,
        params: &[(&str, String)],
    ) -> Result<bool> {
        let answer = self.call(method, location, op, params)?;
        answer["boolean"].as_bool().ok_or_else(|| Error::Remote {
            location: location.to_string(),
            status: None,
            message: format!("{op} answered without a boolean: {answer}"),
            retryable: false,
        })
    }

    /// Creates the parent directory of `location` if it has one.
    fn create_parent(&self, location: &Location) -> Result<()> {
        match Self::hdfs_path(location).rsplit_once('/') {
            Some((parent, _)) if !parent.is_empty() => self.mkdirs(&location.with_path(parent)),
            _ => Ok(()),
        }
    }

    fn file_status(location: Location, status: &Value) -> FileStatus {
        let is_dir = status["type"].as_str() == Some("DIRECTORY");
        FileStatus {
            location,
            size: if is_dir {
                0
            } else {
                status["length"].as_u64().unwrap_or(0)
            },
            is_dir,
        }
    }

    fn list_into(&self, dir: &Location, recursive: bool, out: &mut Vec<FileStatus>) -> Result<()> {
        let answer = self.call(Method::GET, dir, "LISTSTATUS", &[])?;
        let entries = answer["FileStatuses"]["FileStatus"]
            .as_array()
            .cloned()
            .unwrap_or_default();
        for entry in entries {
            let suffix = entry["pathSuffix"].as_str().unwrap_or_default();
            let child = if suffix.is_empty() {
                dir.clone()
            } else {
                dir.join(suffix)
            };
            let status = Self::file_status(child, &entry);
            if recursive && status.is_dir {
                self.list_into(&status.location, true, out)?;
            } else {
                out.push(status);
            }
        }
        Ok(())
    }
}

/// The error for a failed WebHDFS request: its `RemoteException` by name.
fn remote_exception(location: &str, status: u16, body: &str) -> Error {
    let parsed: Option<Value> = serde_json::from_str(body).ok();
    let exception = parsed.as_ref().map(|v| &v["RemoteException"]);
    let name = exception
        .and_then(|e| e["exception"].as_str())
        .unwrap_or_default();
    let message = exception
        .and_then(|e| e["message"].as_str())
        .unwrap_or_default();
    let path = location.to_owned();
    match name {
        "FileNotFoundException" => Error::NotFound { path },
        "AccessControlException" | "SecurityException" => Error::PermissionDenied { path },
        "FileAlreadyExistsException" => Error::AlreadyExists { path },
        "" => remote::status_error(location, status, body),
        _ => Error::Remote {
            location: path,
            status: Some(status),
            message: format!("{name}: {message}"),
            retryable: matches!(
                name,
                "RetriableException" | "StandbyException" | "SafeModeException"
            ) || remote::is_transient_status(status),
        },
    }
}

struct HdfsOpener {
    client: Client,
    options: HttpOptions,
    fs: HdfsFileSystem,
    file: Location,
    location: String,
}

impl RangeOpener for HdfsOpener {
    fn location(&self) -> &str {
        &self.location
    }

    fn options(&self) -> &HttpOptions {
        &self.options
    }

    fn open(&self, position: u64, end: Option<u64>) -> BoxFuture<Result<Option<Opened>>> {
        let mut params = vec![("offset", position.to_string())];
        if let Some(end) = end {
            params.push(("length", (end - position).to_string()));
        }
        let request = self.client.get(self.fs.url(&self.file, "OPEN", &params));
        let location = self.location.clone();
        let options = self.options.clone();
        Box::pin(async move {
            let response = send(request, &location, &options).await?;
            let status = response.status().as_u16();
            if response.status().is_success() {
                return Ok(Some(Opened {
                    response,
                    offset: position,
                    size: None,
                }));
            }
            let body = error_body(response, &options).await;
            // An offset at or past the end of the file reads nothing.
            if status == 403 && body.contains("out of the range") {
                return Ok(None);
            }
            Err(remote_exception(&location, status, &body))
        })
    }
}

/// A file being written: bytes stream to the DataNode in one PUT.
struct HdfsWriter {
    location: String,
    buffer: Vec<u8>,
    sender: Option<mpsc::Sender<Bytes>>,
    upload: Option<tokio::task::JoinHandle<Result<()>>>,
}

impl HdfsWriter {
    fn send_buffer(&mut self) -> io::Result<()> {
        if self.buffer.is_empty() {
            return Ok(());
        }
        let chunk = Bytes::from(std::mem::take(&mut self.buffer));
        let sent = match &self.sender {
            Some(sender) => futures::executor::block_on(sender.send(chunk)).is_ok(),
            None => false,
        };
        if sent {
            return Ok(());
        }
        // The upload ended early: report why.
        Err(remote::into_io(match self.wait() {
            Err(err) => err,
            Ok(()) => Error::Remote {
                location: self.location.clone(),
                status: None,
                message: "the upload ended before all data was sent".into(),
                retryable: false,
            },
        }))
    }

    fn wait(&mut self) -> Result<()> {
        self.sender = None;
        match self.upload.take() {
            Some(upload) => match futures::executor::block_on(upload) {
                Ok(result) => result,
                Err(err) => Err(Error::Remote {
                    location: self.location.clone(),
                    status: None,
                    message: format!("the upload task failed: {err}"),
                    retryable: false,
                }),
            },
            None => Ok(()),
        }
    }
}

impl Write for HdfsWriter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.buffer.extend_from_slice(buf);
        if self.buffer.len() >= WRITE_CHUNK {
            self.send_buffer()?;
        }
        Ok(buf.len())
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl FileWriter for HdfsWriter {
    fn finish(mut self: Box<Self>) -> Result<()> {
        let location = self.location.clone();
        self.send_buffer()
            .map_err(|err| Error::from_io(location, err))?;
        self.wait()
    }
}

impl Drop for HdfsWriter {
    fn drop(&mut self) {
        if let Some(upload) = self.upload.take() {
            upload.abort();
        }
    }
}

impl FileSystem for HdfsFileSystem {
    fn open_range(
        &self,
        location: &Location,
        start: u64,
        end: Option<u64>,
    ) -> Result<Box<dyn Read + Send>> {
        let opener = HdfsOpener {
            client: self.client.clone(),
            options: self.options.clone(),
            fs: self.clone(),
            file: location.clone(),
            location: location.to_string(),
        };
        http_transport::open_resumable(Arc::new(opener), start, end)
    }

    fn status(&self, location: &Location) -> Result<FileStatus> {
        let answer = self.call(Method::GET, location, "GETFILESTATUS", &[])?;
        Ok(Self::file_status(location.clone(), &answer["FileStatus"]))
    }

    fn list(&self, location: &Location, recursive: bool) -> Result<Vec<FileStatus>> {
        let mut out = Vec::new();
        self.list_into(location, recursive, &mut out)?;
        out.sort_by(|a, b| a.location.path().cmp(b.location.path()));
        Ok(out)
    }

    fn create(&self, location: &Location) -> Result<Box<dyn FileWriter>> {
        let path = location.to_string();
        let url = self.url(location, "CREATE", &[("overwrite", "true".to_owned())]);
        let manual = self.manual.clone();
        let options = self.options.clone();
        // Step one: the NameNode names the DataNode to send the data to.
        let datanode = {
            let path = path.clone();
            block_on(async move {
                with_retries(&options, || {
                    let request = manual.put(url.clone());
                    let (options, path) = (options.clone(), path.clone());
                    async move {
                        let response = send(request, &path, &options).await?;
                        let status = response.status().as_u16();
                        let target = response
                            .headers()
                            .get(LOCATION)
                            .and_then(|value| value.to_str().ok())
                            .map(str::to_owned);
                        match (status, target) {
                            (300..=399, Some(target)) => Ok(target),
                            _ => {
                                let body = error_body(response, &options).await;
                                Err(remote_exception(&path, status, &body))
                            }
                        }
                    }
                })
                .await
            })?
        };
        // Step two: stream the bytes there.
        let (sender, mut receiver) = mpsc::channel::<Bytes>(4);
        let body = futures::stream::poll_fn(move |cx| {
            receiver
                .poll_recv(cx)
                .map(|chunk| chunk.map(Ok::<Bytes, io::Error>))
        });
        let request = self
            .manual
            .put(datanode)
            .body(reqwest::Body::wrap_stream(body));
        let options = self.options.clone();
        let upload_path = path.clone();
        let upload = runtime().spawn(async move {
            let response = request
                .send()
                .await
                .map_err(|err| http_transport::transport_error(&upload_path, &err))?;
            let status = response.status().as_u16();
            if response.status().is_success() {
                return Ok(());
            }
            let body = error_body(response, &options).await;
            Err(remote_exception(&upload_path, status, &body))
        });
        Ok(Box::new(HdfsWriter {
            location: path,
            buffer: Vec::with_capacity(WRITE_CHUNK),
            sender: Some(sender),
            upload: Some(upload),
        }))
    }

    fn rename(&self, from: &Location, to: &Location) -> Result<()> {
        // Replace a file at the destination, and create its parent, as a
        // local rename would (HDFS would move `from` into a directory).
        match self.status(to) {
            Ok(existing) if !existing.is_dir => self.delete(to, false)?,
            Ok(_) | Err(Error::NotFound { .. }) => {}
            Err(other) => return Err(other),
        }
        self.create_parent(to)?;
        let destination = Self::hdfs_path(to).to_owned();
        if self.boolean(Method::PUT, from, "RENAME", &[("destination", destination)])? {
            return Ok(());
        }
        // HDFS says only "false": find out why.
        self.status(from)?;
        Err(Error::Remote {
            location: from.to_string(),
            status: None,
            message: format!("HDFS refused to rename it to {to}"),
            retryable: false,
        })
    }

    fn rename_no_replace(&self, from: &Location, to: &Location) -> Result<()> {
        self.create_parent(to)?;
        // With rename options the NameNode uses its newer rename, which
        // refuses an existing destination (and answers with no body).
        let params = [
            ("destination", Self::hdfs_path(to).to_owned()),
            ("renameoptions", "NONE".to_owned()),
        ];
        match self.call(Method::PUT, from, "RENAME", &params) {
            Err(Error::AlreadyExists { .. }) => Err(Error::AlreadyExists {
                path: to.to_string(),
            }),
            other => other.map(drop),
        }
    }

    fn delete(&self, location: &Location, recursive: bool) -> Result<()> {
        // `false` means there was nothing to delete.
        self.boolean(
            Method::DELETE,
            location,
            "DELETE",
            &[("recursive", recursive.to_string())],
        )
        .map(drop)
    }

    fn mkdirs(&self, location: &Location) -> Result<()> {
        if self.boolean(Method::PUT, location, "MKDIRS", &[])? {
            return Ok(());
        }
        Err(Error::Remote {
            location: location.to_string(),
            status: None,
            message: "HDFS refused to create the directory".into(),
            retryable: false,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn remote_exceptions_become_errors_naming_the_path() {
        let body = |name: &str| {
            format!(
                r#"{{"RemoteException":{{"exception":"{name}","javaClassName":"x","message":"about /a"}}}}"#
            )
        };
        let path = "hdfs://nn:9870/a";
        assert!(matches!(
            remote_exception(path, 404, &body("FileNotFoundException")),
            Error::NotFound { ref path } if path == "hdfs://nn:9870/a"
        ));
        assert!(matches!(
            remote_exception(path, 403, &body("AccessControlException")),
            Error::PermissionDenied { .. }
        ));
        let other = remote_exception(path, 500, &body("IOException"));
        assert!(
            other.to_string().contains("IOException: about /a"),
            "{other}"
        );
        assert!(other.is_retryable());
        let standby = remote_exception(path, 403, &body("StandbyException"));
        assert!(standby.is_retryable());
        let plain = remote_exception(path, 400, "not json");
        assert!(
            matches!(
                plain,
                Error::Remote {
                    status: Some(400),
                    ..
                }
            ),
            "{plain}"
        );
    }

    #[test]
    fn urls_encode_the_path_and_carry_the_user() {
        let options = FileIoOptions::new().with_hdfs(crate::HdfsOptions::new().with_user("etl"));
        let location = Location::parse("webhdfs://nn:9870/data/a b.txt").unwrap();
        let fs = HdfsFileSystem::new(&location, &options).unwrap();
        let url = fs.url(&location, "OPEN", &[("offset", "5".into())]);
        assert_eq!(
            url.as_str(),
            "http://nn:9870/webhdfs/v1/data/a%20b.txt?op=OPEN&user.name=etl&offset=5"
        );
    }
}
