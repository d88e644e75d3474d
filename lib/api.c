/*
 * api.c: one Engine API request (api.h): connect, speak, read the answer.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <netdb.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <unistd.h>

#include <mbedtls/asn1.h>
#include <mbedtls/ctr_drbg.h>
#include <mbedtls/entropy.h>
#include <mbedtls/error.h>
#include <mbedtls/net_sockets.h>
#include <mbedtls/oid.h>
#include <mbedtls/pk.h>
#include <mbedtls/ssl.h>
#include <mbedtls/x509_crt.h>

#include "api.h"
#include "docker.h"
#include "health.h"
#include "run.h"
#include "util.h"

#define CONNECT_TIMEOUT_MS 10000
/* how long ssh may take to end once a request is done */
#define SSH_EXIT_MS 5000

/*
 * The whole request, from the connect to the answer's last byte: an
 * engine that answers a byte at a time is given up as surely as one
 * that does not answer (a time limit on each read alone would wait for
 * it for ever).
 */
static long request_timeout_ms = API_TIMEOUT_MS;

void api_set_timeout(long ms)
{
	request_timeout_ms = ms > 0 ? ms : API_TIMEOUT_MS;
}

struct tls {
	mbedtls_ssl_context ssl;
	mbedtls_ssl_config conf;
	mbedtls_x509_crt ca, cert;
	mbedtls_pk_context key;
	mbedtls_entropy_context entropy;
	mbedtls_ctr_drbg_context drbg;
};

struct conn {
	int fd;			/* non-blocking once connected */
	pid_t pid;		/* ssh's, or 0 */
	struct tls *tls;
	long deadline;		/* monotonic_ms() when the request is given up */
	int timed_out;
};

/* Wait until c's socket is ready for events: 0, or -1 (errno set) at the deadline. */
static int conn_wait(struct conn *c, short events)
{
	for (;;) {
		struct pollfd p = { c->fd, events, 0 };
		long left = c->deadline - monotonic_ms();
		int r;

		if (left <= 0) {
			c->timed_out = 1;
			errno = ETIMEDOUT;
			return -1;
		}
		r = poll(&p, 1, left > INT_MAX ? INT_MAX : (int)left);
		if (r > 0)
			return 0;
		if (r < 0 && errno != EINTR)
			return -1;
	}
}

static int set_nonblock(int fd)
{
	int flags = fcntl(fd, F_GETFL);

	return flags < 0 || fcntl(fd, F_SETFL, flags | O_NONBLOCK) < 0 ? -1 : 0;
}

static int open_unix(const char *path, struct strbuf *why)
{
	struct sockaddr_un sa = { 0 };
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		strbuf_addf(why, "socket path too long: %s", path);
		return -1;
	}
	sa.sun_family = AF_UNIX;
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) || set_nonblock(fd)) {
		strbuf_addf(why, "%s: %s", path, strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	return fd;
}

/*
 * connect fd (left non-blocking) to a within the connect timeout and the
 * request's deadline: 0 or -1 (errno set)
 */
static int connect_within(int fd, const struct sockaddr *a, socklen_t len, long deadline)
{
	struct pollfd p = { fd, POLLOUT, 0 };
	int err = 0, r;
	socklen_t elen = sizeof(err);
	long left = deadline - monotonic_ms();

	if (left > CONNECT_TIMEOUT_MS)
		left = CONNECT_TIMEOUT_MS;
	if (set_nonblock(fd))
		return -1;
	if (connect(fd, a, len)) {
		if (errno != EINPROGRESS)
			return -1;
		do
			r = poll(&p, 1, left > 0 ? (int)left : 0);
		while (r < 0 && errno == EINTR);
		if (r == 0) {
			errno = ETIMEDOUT;
			return -1;
		}
		if (r < 0 || getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &elen))
			return -1;
		if (err) {
			errno = err;
			return -1;
		}
	}
	return 0;
}

static int open_tcp(const char *host, const char *port, long deadline, struct strbuf *why)
{
	struct addrinfo hints = { 0 }, *res = NULL, *ai;
	int fd = -1, r, saved = 0;

	hints.ai_socktype = SOCK_STREAM;
	r = getaddrinfo(host, port, &hints, &res);
	if (r) {
		strbuf_addf(why, "%s: %s", host, gai_strerror(r));
		return -1;
	}
	for (ai = res; ai; ai = ai->ai_next) {
		fd = socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
		if (fd >= 0 && !connect_within(fd, ai->ai_addr, ai->ai_addrlen, deadline))
			break;
		saved = errno;
		if (fd >= 0)
			close(fd);
		fd = -1;
	}
	freeaddrinfo(res);
	if (fd < 0)
		strbuf_addf(why, "%s:%s: %s", host, port, strerror(saved));
	return fd;
}

/*
 * ssh [-l user] [-p port] -- host docker system dial-stdio, its stdin
 * and stdout one end of a socket pair: what the docker CLI does for ssh://.
 * ssh's stderr is ours, so that it can say what went wrong (or ask).
 */
static int open_ssh(const struct engine *e, pid_t *pid, struct strbuf *why)
{
	const char *argv[12];
	int sv[2], k = 0;

	argv[k++] = "ssh";
	if (e->user) {
		argv[k++] = "-l";
		argv[k++] = e->user;
	}
	if (e->port) {
		argv[k++] = "-p";
		argv[k++] = e->port;
	}
	argv[k++] = "--";
	argv[k++] = e->host;
	argv[k++] = "docker";
	argv[k++] = "system";
	argv[k++] = "dial-stdio";
	argv[k] = NULL;
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv)) {
		strbuf_addf(why, "socketpair: %s", strerror(errno));
		return -1;
	}
	*pid = fork();
	if (*pid < 0) {
		strbuf_addf(why, "fork: %s", strerror(errno));
		close(sv[0]);
		close(sv[1]);
		return -1;
	}
	if (!*pid) {
		/* only async-signal-safe calls between fork and exec */
		if (dup2(sv[1], 0) < 0 || dup2(sv[1], 1) < 0)
			_exit(127);
		signal(SIGPIPE, SIG_DFL);
		execvp(argv[0], (char *const *)argv);
		_exit(127);
	}
	close(sv[1]);
	if (set_nonblock(sv[0])) {
		strbuf_addf(why, "socket: %s", strerror(errno));
		close(sv[0]);
		return -1;	/* ssh sees its end close; reaped with the connection */
	}
	return sv[0];
}

/* send or recv on c's socket once it is ready, within the deadline: bytes, or -1 (errno set) */
static ssize_t sock_io(struct conn *c, void *buf, size_t len, int out)
{
	for (;;) {
		ssize_t r;

		if (conn_wait(c, out ? POLLOUT : POLLIN))
			return -1;
		r = out ? send(c->fd, buf, len, MSG_NOSIGNAL) : recv(c->fd, buf, len, 0);
		if (r >= 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK))
			return r;
	}
}

static int bio_send(void *ctx, const unsigned char *buf, size_t len)
{
	ssize_t w = sock_io(ctx, (void *)buf, len, 1);

	return w >= 0 ? (int)w : MBEDTLS_ERR_NET_SEND_FAILED;
}

static int bio_recv(void *ctx, unsigned char *buf, size_t len)
{
	ssize_t r = sock_io(ctx, buf, len, 0);

	return r >= 0 ? (int)r : MBEDTLS_ERR_NET_RECV_FAILED;
}

static void tls_free(struct tls *t)
{
	if (!t)
		return;
	mbedtls_ssl_free(&t->ssl);
	mbedtls_ssl_config_free(&t->conf);
	mbedtls_x509_crt_free(&t->ca);
	mbedtls_x509_crt_free(&t->cert);
	mbedtls_pk_free(&t->key);
	mbedtls_ctr_drbg_free(&t->drbg);
	mbedtls_entropy_free(&t->entropy);
	free(t);
}

static void tls_error(struct strbuf *why, const char *what, int code)
{
	char buf[160];

	mbedtls_strerror(code, buf, sizeof(buf));
	strbuf_addf(why, "TLS: %s: %s", what, buf);
}

/*
 * Does the certificate name the IP address ip (4 or 16 bytes) in its
 * subjectAltName? mbedTLS 2.28 checks only DNS names, and an engine is
 * often reached by its address, so read the extension here.
 */
static int cert_has_ip(const mbedtls_x509_crt *crt, const unsigned char *ip, size_t iplen)
{
	unsigned char *p = crt->v3_ext.p, *end = p + crt->v3_ext.len, *ext_end;
	size_t len;

	if (!p || mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
				       MBEDTLS_ASN1_SEQUENCE))
		return 0;
	end = p + len;
	while (p < end) {
		mbedtls_x509_buf oid;
		int critical = 0;

		if (mbedtls_asn1_get_tag(&p, end, &len, MBEDTLS_ASN1_CONSTRUCTED |
					 MBEDTLS_ASN1_SEQUENCE))
			return 0;
		ext_end = p + len;
		if (mbedtls_asn1_get_tag(&p, ext_end, &oid.len, MBEDTLS_ASN1_OID))
			return 0;
		oid.p = p;
		p += oid.len;
		if (p < ext_end && *p == MBEDTLS_ASN1_BOOLEAN &&
		    mbedtls_asn1_get_bool(&p, ext_end, &critical))
			return 0;
		if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_OCTET_STRING))
			return 0;
		if (MBEDTLS_OID_CMP(MBEDTLS_OID_SUBJECT_ALT_NAME, &oid)) {
			p = ext_end;
			continue;
		}
		if (mbedtls_asn1_get_tag(&p, ext_end, &len, MBEDTLS_ASN1_CONSTRUCTED |
					 MBEDTLS_ASN1_SEQUENCE))
			return 0;
		while (p < ext_end) {
			unsigned char tag = *p++;

			if (mbedtls_asn1_get_len(&p, ext_end, &len))
				return 0;
			if (tag == (MBEDTLS_ASN1_CONTEXT_SPECIFIC | 7) && len == iplen &&
			    !memcmp(p, ip, iplen))
				return 1;
			p += len;
		}
		return 0;
	}
	return 0;
}

static int tls_open(struct conn *c, const struct engine *e, struct strbuf *why)
{
	struct tls *t = xcalloc(1, sizeof(*t));
	char *ca = path_join(e->certs, "ca.pem"), *cert = path_join(e->certs, "cert.pem");
	char *key = path_join(e->certs, "key.pem");
	unsigned char ip[16];
	size_t iplen = 0;
	int r, ret = -1;

	c->tls = t;
	mbedtls_ssl_init(&t->ssl);
	mbedtls_ssl_config_init(&t->conf);
	mbedtls_x509_crt_init(&t->ca);
	mbedtls_x509_crt_init(&t->cert);
	mbedtls_pk_init(&t->key);
	mbedtls_ctr_drbg_init(&t->drbg);
	mbedtls_entropy_init(&t->entropy);
	if (inet_pton(AF_INET, e->host, ip) == 1)
		iplen = 4;
	else if (inet_pton(AF_INET6, e->host, ip) == 1)
		iplen = 16;
	if ((r = mbedtls_ctr_drbg_seed(&t->drbg, mbedtls_entropy_func, &t->entropy,
				       (const unsigned char *)"git-sandbox", 11)) ||
	    (r = mbedtls_ssl_config_defaults(&t->conf, MBEDTLS_SSL_IS_CLIENT,
					     MBEDTLS_SSL_TRANSPORT_STREAM,
					     MBEDTLS_SSL_PRESET_DEFAULT))) {
		tls_error(why, "set-up", r);
		goto out;
	}
	mbedtls_ssl_conf_rng(&t->conf, mbedtls_ctr_drbg_random, &t->drbg);
	mbedtls_ssl_conf_min_version(&t->conf, MBEDTLS_SSL_MAJOR_VERSION_3,
				     MBEDTLS_SSL_MINOR_VERSION_3);
	if (e->tls_verify) {
		if ((r = mbedtls_x509_crt_parse_file(&t->ca, ca))) {
			tls_error(why, ca, r);
			goto out;
		}
		mbedtls_ssl_conf_ca_chain(&t->conf, &t->ca, NULL);
		mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_REQUIRED);
	} else {
		mbedtls_ssl_conf_authmode(&t->conf, MBEDTLS_SSL_VERIFY_NONE);
	}
	if (!access(cert, F_OK) || !access(key, F_OK)) {
		if ((r = mbedtls_x509_crt_parse_file(&t->cert, cert))) {
			tls_error(why, cert, r);
			goto out;
		}
		if ((r = mbedtls_pk_parse_keyfile(&t->key, key, NULL))) {
			tls_error(why, key, r);
			goto out;
		}
		if ((r = mbedtls_ssl_conf_own_cert(&t->conf, &t->cert, &t->key))) {
			tls_error(why, "client certificate", r);
			goto out;
		}
	}
	if ((r = mbedtls_ssl_setup(&t->ssl, &t->conf)) ||
	    /* an address is checked below, against the certificate's IP names */
	    (r = mbedtls_ssl_set_hostname(&t->ssl, iplen ? NULL : e->host))) {
		tls_error(why, "set-up", r);
		goto out;
	}
	mbedtls_ssl_set_bio(&t->ssl, c, bio_send, bio_recv, NULL);
	do
		r = mbedtls_ssl_handshake(&t->ssl);
	while (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE);
	if (r) {
		uint32_t flags = mbedtls_ssl_get_verify_result(&t->ssl);

		if (r == MBEDTLS_ERR_X509_CERT_VERIFY_FAILED && flags != (uint32_t)-1) {
			char buf[256];

			mbedtls_x509_crt_verify_info(buf, sizeof(buf), "", flags);
			buf[strcspn(buf, "\n")] = '\0';
			strbuf_addf(why, "TLS: the engine's certificate is not trusted: %s", buf);
		} else if (c->timed_out) {
			strbuf_addstr(why, "TLS: handshake: timed out");
		} else {
			tls_error(why, "handshake", r);
		}
		goto out;
	}
	if (e->tls_verify && iplen) {
		const mbedtls_x509_crt *peer = mbedtls_ssl_get_peer_cert(&t->ssl);

		if (!peer || !cert_has_ip(peer, ip, iplen)) {
			strbuf_addf(why, "TLS: the engine's certificate is not for %s", e->host);
			goto out;
		}
	}
	ret = 0;
out:
	free(ca);
	free(cert);
	free(key);
	return ret;
}

static void conn_close(struct conn *c)
{
	if (c->tls) {
		mbedtls_ssl_close_notify(&c->tls->ssl);
		tls_free(c->tls);
		c->tls = NULL;
	}
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
	if (c->pid > 0) {
		/*
		 * ssh ends once its input does; one that does not (still
		 * connecting to a host that does not answer) is stopped, at
		 * once when the request was given up
		 */
		long until = c->timed_out ? 0 : monotonic_ms() + SSH_EXIT_MS;
		int status;
		pid_t r;

		while ((r = waitpid(c->pid, &status, WNOHANG)) == 0 && monotonic_ms() < until)
			poll(NULL, 0, 10);
		if (!r) {
			kill(c->pid, SIGTERM);
			while (waitpid(c->pid, &status, 0) < 0 && errno == EINTR)
				;
		}
		c->pid = 0;
	}
}

static int conn_open(struct conn *c, const struct engine *e, struct strbuf *why)
{
	c->fd = -1;
	c->pid = 0;
	c->tls = NULL;
	c->timed_out = 0;
	c->deadline = monotonic_ms() + request_timeout_ms;
	if (e->kind == ENGINE_UNIX)
		c->fd = open_unix(e->path, why);
	else if (e->kind == ENGINE_TCP)
		c->fd = open_tcp(e->host, e->port, c->deadline, why);
	else
		c->fd = open_ssh(e, &c->pid, why);
	if (c->fd < 0 || (e->kind == ENGINE_TCP && e->tls && tls_open(c, e, why))) {
		conn_close(c);
		return -1;
	}
	return 0;
}

static int conn_write(struct conn *c, const char *buf, size_t len)
{
	while (len) {
		ssize_t w;

		if (c->tls) {
			int r = mbedtls_ssl_write(&c->tls->ssl, (const unsigned char *)buf, len);

			if (r == MBEDTLS_ERR_SSL_WANT_READ || r == MBEDTLS_ERR_SSL_WANT_WRITE)
				continue;
			w = r;
		} else {
			w = sock_io(c, (void *)buf, len, 1);
		}
		if (w <= 0)
			return -1;
		buf += w;
		len -= w;
	}
	return 0;
}

/* bytes read, 0 at the end, -1 on an error */
static ssize_t conn_read(struct conn *c, char *buf, size_t len)
{
	for (;;) {
		int t;

		if (!c->tls)
			return sock_io(c, buf, len, 0);
		t = mbedtls_ssl_read(&c->tls->ssl, (unsigned char *)buf, len);
		if (t == MBEDTLS_ERR_SSL_WANT_READ || t == MBEDTLS_ERR_SSL_WANT_WRITE)
			continue;
		if (t == MBEDTLS_ERR_SSL_PEER_CLOSE_NOTIFY)
			return 0;
		return t < 0 ? -1 : t;
	}
}

static int on_headers_complete(http_parser *p)
{
	struct api_answer *a = p->data;

	/* refused at once: nothing waits for a body that would be refused anyway */
	if ((p->flags & F_CONTENTLENGTH) && p->content_length > (uint64_t)API_MAX_BODY) {
		a->too_big = 1;
		return -1;
	}
	return 0;
}

static int on_chunk_header(http_parser *p)
{
	struct api_answer *a = p->data;

	/* the chunk's length, which the parser holds in content_length */
	if (p->content_length > (uint64_t)API_MAX_BODY - a->body.len) {
		a->too_big = 1;
		return -1;
	}
	return 0;
}

static int on_body(http_parser *p, const char *at, size_t len)
{
	struct api_answer *a = p->data;

	if (a->body.len + len > (size_t)API_MAX_BODY) {
		a->too_big = 1;
		return -1;
	}
	strbuf_add(&a->body, at, len);
	return 0;
}

static int on_complete(http_parser *p)
{
	((struct api_answer *)p->data)->complete = 1;
	/* stop here: nothing after the answer is read */
	http_parser_pause(p, 1);
	return 0;
}

static const http_parser_settings answer_settings = {
	.on_headers_complete = on_headers_complete,
	.on_chunk_header = on_chunk_header,
	.on_body = on_body,
	.on_message_complete = on_complete,
};

void api_answer_init(struct api_answer *a)
{
	memset(a, 0, sizeof(*a));
	strbuf_init(&a->body);
	http_parser_init(&a->parser, HTTP_RESPONSE);
	a->parser.data = a;
}

/* after a parse: 1 complete, 0 more to come, -1 with why saying what is wrong */
static int answer_state(struct api_answer *a, struct strbuf *why)
{
	enum http_errno err = HTTP_PARSER_ERRNO(&a->parser);

	if (a->too_big) {
		strbuf_addf(why, "an answer larger than %ld bytes", API_MAX_BODY);
		return -1;
	}
	if (a->complete)
		return 1;
	if (err == HPE_INVALID_EOF_STATE) {
		strbuf_addstr(why, "the answer was cut short");
		return -1;
	}
	if (err != HPE_OK) {
		strbuf_addf(why, "not an HTTP answer (%s)", http_errno_description(err));
		return -1;
	}
	return 0;
}

int api_answer_feed(struct api_answer *a, const char *buf, size_t len, struct strbuf *why)
{
	/* a length of 0 would tell the parser the answer ended */
	if (!a->complete && len)
		http_parser_execute(&a->parser, &answer_settings, buf, len);
	return answer_state(a, why);
}

int api_answer_end(struct api_answer *a, struct strbuf *why)
{
	int r;

	if (!a->complete)
		http_parser_execute(&a->parser, &answer_settings, NULL, 0);
	r = answer_state(a, why);
	if (!r) {
		strbuf_addstr(why, "the answer was cut short");
		r = -1;
	}
	return r;
}

json_t *api_answer_json(const struct api_answer *a)
{
	if (!a->complete || !a->body.len)
		return NULL;
	return json_loadb(a->body.buf, a->body.len, JSON_DECODE_ANY, NULL);
}

void api_answer_release(struct api_answer *a)
{
	strbuf_release(&a->body);
}

void api_escape(struct strbuf *sb, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";

	for (; *s; s++) {
		unsigned char ch = *s;

		if ((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		    (ch >= '0' && ch <= '9') || strchr("-._~", ch)) {
			strbuf_addch(sb, ch);
		} else {
			strbuf_addch(sb, '%');
			strbuf_addch(sb, hex[ch >> 4]);
			strbuf_addch(sb, hex[ch & 15]);
		}
	}
}

int api_request(const struct engine *e, const char *method, const char *path, const char *body,
		int *status, json_t **out, struct strbuf *why)
{
	struct strbuf req = STRBUF_INIT, err = STRBUF_INIT;
	struct api_answer a;
	struct conn c;
	char buf[16384];
	int done = 0, ret = DOCKER_UNREACHABLE;

	const char *words[] = { method, path, e->url, NULL };

	*status = 0;
	*out = NULL;
	trace("api", words);
	if (conn_open(&c, e, why))
		return DOCKER_UNREACHABLE;
	api_answer_init(&a);
	strbuf_addf(&req, "%s %s%s HTTP/1.1\r\nHost: docker\r\nUser-Agent: git-sandbox/" VERSION
		    "\r\nConnection: close\r\n", method, e->base ? e->base : "", path);
	if (body)
		strbuf_addf(&req, "Content-Type: application/json\r\nContent-Length: %zu\r\n",
			    strlen(body));
	strbuf_addstr(&req, "\r\n");
	if (body)
		strbuf_addstr(&req, body);
	if (conn_write(&c, req.buf, req.len)) {
		strbuf_addf(why, "%s: cannot send the request: %s", e->url,
			    c.timed_out ? "timed out" : strerror(errno));
		goto out;
	}
	while (!done) {
		ssize_t r = conn_read(&c, buf, sizeof(buf));

		if (r < 0) {
			strbuf_addf(why, "%s: no answer: %s", e->url,
				    c.timed_out ? "timed out" : strerror(errno));
			goto out;
		}
		done = r ? api_answer_feed(&a, buf, r, &err) : api_answer_end(&a, &err);
		if (done < 0) {
			strbuf_addf(why, "%s: %s", e->url, err.buf);
			goto out;
		}
	}
	*status = a.parser.status_code;
	*out = api_answer_json(&a);
	ret = DOCKER_OK;
out:
	conn_close(&c);
	strbuf_release(&req);
	strbuf_release(&err);
	api_answer_release(&a);
	return ret;
}
