//! The listener the server accepts on. hyper answers a request it cannot parse by itself,
//! before any handler or layer runs: 400 (malformed framing), 414 (URL too long) and 431
//! (too many or too large headers), each with an empty body. Each connection's outgoing
//! bytes pass through [`ErrorBodies`], which gives exactly those answers the API's
//! `{"error": {"code", "message"}}` body. Everything else passes through untouched.

use std::io::{self, IoSlice};
use std::net::SocketAddr;
use std::pin::Pin;
use std::task::{Context, Poll, ready};

use axum::serve::Listener;
use credits_core::ErrorCode;
use credits_core::api::ErrorBody;
use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::{TcpListener, TcpStream};

/// A TCP listener whose connections are [`ErrorBodies`].
pub struct JsonErrorsListener(pub TcpListener);

impl Listener for JsonErrorsListener {
    type Io = ErrorBodies<TcpStream>;
    type Addr = SocketAddr;

    async fn accept(&mut self) -> (Self::Io, Self::Addr) {
        let (io, addr) = Listener::accept(&mut self.0).await;
        (ErrorBodies { inner: io, pending: Vec::new(), written: 0 }, addr)
    }

    fn local_addr(&self) -> io::Result<SocketAddr> {
        self.0.local_addr()
    }
}

/// The code and message of each answer hyper makes itself.
fn error_for(status: u16) -> Option<(ErrorCode, &'static str)> {
    match status {
        400 => Some((ErrorCode::MalformedRequest, "the request is not well-formed HTTP/1.1")),
        414 => Some((ErrorCode::UriTooLong, "the URL is too long")),
        431 => Some((ErrorCode::HeadersTooLarge, "the request headers are too many or too large")),
        _ => None,
    }
}

/// If `head` is one of hyper's own bodiless error answers (a whole response head with
/// `content-length: 0` and nothing after it), the same answer with a JSON body.
pub fn rewrite(head: &[u8]) -> Option<Vec<u8>> {
    if !head.starts_with(b"HTTP/1.") || !head.ends_with(b"\r\n\r\n") {
        return None;
    }
    let text = std::str::from_utf8(&head[..head.len() - 4]).ok()?;
    let mut lines = text.split("\r\n");
    let status_line = lines.next()?;
    let status: u16 = status_line.split(' ').nth(1)?.parse().ok()?;
    let (code, message) = error_for(status)?;
    let headers: Vec<&str> = lines.collect();
    let is_length = |h: &str| h.split_once(':').is_some_and(|(name, _)| name.trim().eq_ignore_ascii_case("content-length"));
    let lengths: Vec<&str> = headers.iter().copied().filter(|h| is_length(h)).collect();
    if lengths.is_empty() || !lengths.iter().all(|h| h.split_once(':').is_some_and(|(_, v)| v.trim() == "0")) {
        return None;
    }
    let body = serde_json::to_string(&ErrorBody::new(code, message)).ok()?;
    let mut out = format!("{status_line}\r\ncontent-type: application/json\r\ncontent-length: {}\r\n", body.len());
    for h in headers.iter().filter(|h| !is_length(h)) {
        out.push_str(h);
        out.push_str("\r\n");
    }
    out.push_str("\r\n");
    out.push_str(&body);
    Some(out.into_bytes())
}

/// A connection whose bodiless parse-error answers get a JSON body (see the module).
pub struct ErrorBodies<S> {
    inner: S,
    /// A rewritten answer not yet fully written, and how much of it was.
    pending: Vec<u8>,
    written: usize,
}

impl<S: AsyncWrite + Unpin> ErrorBodies<S> {
    /// Writes what is pending; ready when nothing is.
    fn drain(&mut self, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        while self.written < self.pending.len() {
            let n = ready!(Pin::new(&mut self.inner).poll_write(cx, &self.pending[self.written..]))?;
            if n == 0 {
                return Poll::Ready(Err(io::ErrorKind::WriteZero.into()));
            }
            self.written += n;
        }
        self.pending.clear();
        self.written = 0;
        Poll::Ready(Ok(()))
    }

    /// Takes `buf` whole as the rewritten answer, if it is one.
    fn intercept(&mut self, cx: &mut Context<'_>, buf: &[u8]) -> Option<Poll<io::Result<usize>>> {
        let answer = rewrite(buf)?;
        self.pending = answer;
        self.written = 0;
        Some(match self.drain(cx) {
            Poll::Ready(Err(e)) => Poll::Ready(Err(e)),
            // Written or still pending: either way `buf` is taken.
            _ => Poll::Ready(Ok(buf.len())),
        })
    }
}

impl<S: AsyncRead + Unpin> AsyncRead for ErrorBodies<S> {
    fn poll_read(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &mut ReadBuf<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.inner).poll_read(cx, buf)
    }
}

impl<S: AsyncWrite + Unpin> AsyncWrite for ErrorBodies<S> {
    fn poll_write(mut self: Pin<&mut Self>, cx: &mut Context<'_>, buf: &[u8]) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        if let Some(done) = self.intercept(cx, buf) {
            return done;
        }
        Pin::new(&mut self.inner).poll_write(cx, buf)
    }

    fn poll_write_vectored(mut self: Pin<&mut Self>, cx: &mut Context<'_>, bufs: &[IoSlice<'_>]) -> Poll<io::Result<usize>> {
        ready!(self.drain(cx))?;
        let mut non_empty = bufs.iter().filter(|b| !b.is_empty());
        if let (Some(only), None) = (non_empty.next(), non_empty.next())
            && let Some(done) = self.intercept(cx, only)
        {
            return done;
        }
        Pin::new(&mut self.inner).poll_write_vectored(cx, bufs)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        ready!(self.drain(cx))?;
        Pin::new(&mut self.inner).poll_shutdown(cx)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hypers_bodiless_errors_get_the_json_body() {
        let head = b"HTTP/1.1 431 Request Header Fields Too Large\r\ncontent-length: 0\r\ndate: Tue, 01 Dec 2026 20:00:00 GMT\r\n\r\n";
        let out = String::from_utf8(rewrite(head).unwrap()).unwrap();
        let (head, body) = out.split_once("\r\n\r\n").unwrap();
        assert!(head.starts_with("HTTP/1.1 431 "));
        assert!(head.contains("\r\ndate: Tue"));
        assert!(head.contains(&format!("content-length: {}", body.len())));
        let e: ErrorBody = serde_json::from_str(body).unwrap();
        assert_eq!(e.error.code, "headers_too_large");
    }

    #[test]
    fn everything_else_passes_untouched() {
        for head in [
            &b"HTTP/1.1 400 Bad Request\r\ncontent-type: application/json\r\ncontent-length: 57\r\n\r\n"[..],
            b"HTTP/1.1 404 Not Found\r\ncontent-length: 0\r\n\r\n",
            b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n{}",
            b"HTTP/1.1 400 Bad Request\r\ntransfer-encoding: chunked\r\n\r\n",
            b"GET / HTTP/1.1\r\ncontent-length: 0\r\n\r\n",
            b"",
        ] {
            assert_eq!(rewrite(head), None, "{}", String::from_utf8_lossy(head));
        }
    }
}
