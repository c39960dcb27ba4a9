/*
 * perlx: the perl side is the small program below, given to perl -e.
 * Requests: 'C' expr (compile), 'J' seq slot total n values (a job's
 * context), 'E' i k (evaluate).  Replies to C and E: a flags byte
 * (PERLX_*, or ERR), a length and the bytes.  Numbers are big-endian:
 * 32 bits for lengths and indexes, 64 for seq, slot and total.
 *
 * The expressions run in package main, as GNU parallel's do, with GNU's
 * helpers: $job->seq(), $job->slot(), $job->skip(), seq(), slot(),
 * skip(), uq(), total_jobs(), Q(), pQ(), hash(), @arg ($arg[1] is the
 * job's first value) and the date helpers.  The protocol's own
 * descriptors are moved out of the way first, so an expression that
 * prints writes to parx's stderr and one that reads gets end of file.
 */
#include "perlx.h"

#include <sys/socket.h>
#include <sys/wait.h>

#include <errno.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "spawn.h"
#include "xmalloc.h"

#define ERR	PERLX_DIED	/* the reply is an error message */

static const char program[] =
"use strict; no warnings;\n"
"open(my $R, '+<&', \\*STDIN) or die $!;\n"
"open(STDIN, '<', '/dev/null'); open(STDOUT, '>&', \\*STDERR);\n"
"binmode $R;\n"
"our (@arg, $seq, $slot, $total, $skip, $uq, $_pAr_gRp1);\n"
"my ($in, $out, $dead, @code) = ('', '');\n"
"sub need { while (length($in) < $_[0]) {\n"
"  while (length $out) { my $n = syswrite($R, $out); exit 1 unless $n;\n"
"    substr($out, 0, $n, '') }\n"
"  my $n = sysread($R, $in, 65536, length $in); exit 0 unless $n } }\n"
"sub take { need($_[0]); substr($in, 0, $_[0], '') }\n"
"sub str { take(unpack 'N', take(4)) }\n"
"sub reply { my ($f, $s) = @_; $s = '' unless defined $s;\n"
"  utf8::encode($s) if utf8::is_utf8($s);\n"
"  $out .= pack('CN', $f, length $s) . $s }\n"
"sub seq { $seq } sub slot { $slot } sub skip { $skip = 1 }\n"
"sub uq { $uq = 1 } sub total_jobs { $total }\n"
"sub Q { my $s = shift; return \"''\" if $s eq '';\n"
"  return $s unless $s =~ m{[^-_.+a-zA-Z0-9/]};\n"
"  $s =~ s/'+/'\"$&\"'/g; $s = \"'$s'\"; $s =~ s/^''|''$//g; $s }\n"
"sub pQ { my $s = shift; $s =~ s/([\\\\\\\"\\$\\@])/\\\\$1/g;\n"
"  $s =~ s/\\n/\\\\n/g; $s }\n"
"sub hash { require B; B::hash(@_) }\n"
"sub t { require POSIX; POSIX::strftime($_[0], localtime) }\n"
"sub yyyy_mm_dd_hh_mm_ss { t('%Y-%m-%dT%H:%M:%S') }\n"
"sub yyyy_mm_dd_hh_mm { t('%Y-%m-%dT%H:%M') }\n"
"sub yyyy_mm_dd { t('%Y-%m-%d') } sub hh_mm_ss { t('%H:%M:%S') }\n"
"sub hh_mm { t('%H:%M') } sub yyyymmddhhmmss { t('%Y%m%d%H%M%S') }\n"
"sub yyyymmddhhmm { t('%Y%m%d%H%M') } sub yyyymmdd { t('%Y%m%d') }\n"
"sub hhmmss { t('%H%M%S') } sub hhmm { t('%H%M') }\n"
"{ package Parx::Job; sub seq { $main::seq } sub slot { $main::slot }\n"
"  sub skip { $main::skip = 1 } }\n"
"my $job = bless {}, 'Parx::Job';\n"
"for (;;) { my $op = take(1);\n"
"  if ($op eq 'C') { my $e = str();\n"
"    my $f = eval \"package main; no strict; sub { my \\$job = shift; $e\\n}\";\n"
"    if ($f) { push @code, $f; reply(0, '') } else { reply(128, $@) } }\n"
"  elsif ($op eq 'J') { ($seq, $slot, $total) = unpack('Q>3', take(24));\n"
"    my $n = unpack('N', take(4)); @arg = (undef, map { str() } 1 .. $n) }\n"
"  elsif ($op eq 'E') { my ($i, $k) = unpack('NN', take(8));\n"
"    local $_ = $k ? $arg[$k] : ''; ($skip, $uq) = (0, 0);\n"
"    if ($dead) { reply(128, $dead) }\n"
"    elsif (eval { $code[$i]->($job); 1 }) { reply($uq | $skip << 1, $_) }\n"
"    else { $dead = $@; reply(128, $@) } }\n"
"  elsif ($op eq 'T') { my $e = str(); local $_ = '';\n"
"    if ($dead) { reply(128, $dead) } else {\n"
"      my $r = eval \"package main; no strict; $e\\n\";\n"
"      if ($@) { $dead = $@; reply(128, $@) } else { reply(0, $r ? 1 : '') } } }\n"
"  else { exit 1 } }\n";

struct perlx {
	pid_t	 pid;		/* 0: not started */
	int	 fd;		/* our end of the socket pair */
	bool	 broken;	/* perl is gone or out of step */
	char	**exprs;	/* as compiled, for messages */
	size_t	 nexprs;
	char	*error;
	struct buf req;
	unsigned long seq;	/* perlx_job()'s */
	size_t	 queued;	/* evaluations in req */
	unsigned long *queued_seq;
	int	*queued_expr;	/* ... and which */
	size_t	*queued_k;
	size_t	 queued_cap;
	char	*rb;		/* read buffer: replies come in batches */
	size_t	 rb_off, rb_len;
};

#define READ_CHUNK	(64 * 1024)

struct perlx *
perlx_new(void)
{
	struct perlx *px = xcalloc(1, sizeof(*px));

	px->fd = -1;
	buf_init(&px->req);
	return px;
}

static void
set_error(struct perlx *px, const char *expr, const char *why, size_t len)
{
	struct buf b;

	/* perl's "... at (eval 1) line 1." says nothing to the user. */
	while (len > 0 && (why[len - 1] == '\n' || why[len - 1] == '.'))
		len--;
	buf_init(&b);
	if (expr != NULL) {
		buf_addstr(&b, "perl expression '");
		buf_addstr(&b, expr);
		buf_addstr(&b, "': ");
	}
	buf_add(&b, why, len);
	free(px->error);
	px->error = buf_detach(&b);
}

static void
set_errno_error(struct perlx *px, const char *what)
{
	char msg[256];

	snprintf(msg, sizeof(msg), "%s: %s", what, strerror(errno));
	set_error(px, NULL, msg, strlen(msg));
	px->broken = true;
}

static int
start(struct perlx *px)
{
	static char *const argv[] = { "perl", "-e", (char *)program, NULL };
	extern char **environ;
	struct spawn_req req;
	sigset_t none;
	int sv[2], e;

	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv) == -1) {
		set_errno_error(px, "cannot start perl");
		return -1;
	}
	sigemptyset(&none);
	memset(&req, 0, sizeof(req));
	req.file = "perl";
	req.argv = argv;
	req.envp = environ;
	req.fd_in = sv[1];
	req.fd_out = -1;
	req.fd_err = -1;
	req.sigdefault = &none;
	/* In parx's group: Ctrl-C ends an expression that loops too. */
	req.keep_group = true;
	e = spawn_job(&req, &px->pid);
	close(sv[1]);
	if (e != 0) {
		close(sv[0]);
		errno = e;
		set_errno_error(px, "cannot start perl");
		return -1;
	}
	px->fd = sv[0];
	return 0;
}

static void
add_u32(struct buf *b, size_t v)
{
	unsigned char c[4] = { v >> 24, v >> 16, v >> 8, v };

	buf_add(b, c, 4);
}

static void
add_u64(struct buf *b, unsigned long long v)
{
	add_u32(b, (size_t)(v >> 32) & 0xffffffff);
	add_u32(b, (size_t)v & 0xffffffff);
}

static void
add_str(struct buf *b, const char *s)
{
	size_t len = strlen(s);

	add_u32(b, len);
	buf_add(b, s, len);
}

/* Sends the request buffer; MSG_NOSIGNAL: a dead perl is an error. */
static int
flush_req(struct perlx *px)
{
	size_t off = 0;
	ssize_t n;

	while (off < px->req.len) {
		n = send(px->fd, px->req.data + off, px->req.len - off,
		    MSG_NOSIGNAL);
		if (n == -1 && errno == EINTR)
			continue;
		if (n == -1) {
			set_errno_error(px, "cannot talk to perl");
			return -1;
		}
		off += (size_t)n;
	}
	buf_reset(&px->req);
	return 0;
}

static int
read_full(struct perlx *px, void *p, size_t n)
{
	size_t got = 0, take;
	ssize_t r;

	if (px->rb == NULL)
		px->rb = xmalloc(READ_CHUNK);
	while (got < n) {
		if (px->rb_off < px->rb_len) {
			take = px->rb_len - px->rb_off;
			if (take > n - got)
				take = n - got;
			memcpy((char *)p + got, px->rb + px->rb_off, take);
			px->rb_off += take;
			got += take;
			continue;
		}
		r = read(px->fd, px->rb, READ_CHUNK);
		if (r == -1 && errno == EINTR)
			continue;
		if (r <= 0) {
			if (r == 0)
				errno = EPIPE;
			set_errno_error(px, "perl ended unexpectedly");
			return -1;
		}
		px->rb_off = 0;
		px->rb_len = (size_t)r;
	}
	return 0;
}

/* One reply: its flags byte, its bytes appended to out. */
static int
read_reply(struct perlx *px, int *flags, struct buf *out)
{
	unsigned char head[5];
	size_t len;

	if (read_full(px, head, sizeof(head)) == -1)
		return -1;
	*flags = head[0];
	len = (size_t)head[1] << 24 | (size_t)head[2] << 16 |
	    (size_t)head[3] << 8 | head[4];
	buf_grow(out, len + 1);
	if (read_full(px, out->data + out->len, len) == -1)
		return -1;
	out->len += len;
	out->data[out->len] = '\0';
	return 0;
}

int
perlx_compile(struct perlx *px, const char *expr)
{
	struct buf msg;
	size_t i;
	int flags;

	for (i = 0; i < px->nexprs; i++)
		if (strcmp(px->exprs[i], expr) == 0)
			return (int)i;	/* one sub for each text */
	if (px->broken || (px->pid == 0 && start(px) == -1))
		return -1;
	buf_addch(&px->req, 'C');
	add_str(&px->req, expr);
	buf_init(&msg);
	if (flush_req(px) == -1 || read_reply(px, &flags, &msg) == -1) {
		buf_release(&msg);
		return -1;
	}
	if (flags & ERR) {
		set_error(px, expr, msg.data, msg.len);
		buf_release(&msg);
		return -1;
	}
	buf_release(&msg);
	px->exprs = xreallocarray(px->exprs, px->nexprs + 1,
	    sizeof(*px->exprs));
	px->exprs[px->nexprs] = xstrdup(expr);
	return (int)px->nexprs++;
}

int
perlx_test(struct perlx *px, const char *code, bool *yes)
{
	struct buf msg;
	int flags;

	if (px->broken || (px->pid == 0 && start(px) == -1))
		return -1;
	buf_addch(&px->req, 'T');
	add_str(&px->req, code);
	buf_init(&msg);
	if (flush_req(px) == -1 || read_reply(px, &flags, &msg) == -1) {
		buf_release(&msg);
		return -1;
	}
	if (flags & ERR) {
		set_error(px, code, msg.data, msg.len);
		buf_release(&msg);
		return -1;
	}
	*yes = msg.len > 0;
	buf_release(&msg);
	return 0;
}

int
perlx_job(struct perlx *px, unsigned long seq, unsigned long slot,
    unsigned long total, char *const *fields, size_t nfields)
{
	size_t i;

	if (px->broken)
		return -1;
	px->seq = seq;
	/* Sent with the first evaluation: one write a job. */
	buf_addch(&px->req, 'J');
	add_u64(&px->req, seq);
	add_u64(&px->req, slot);
	add_u64(&px->req, total);
	add_u32(&px->req, nfields);
	for (i = 0; i < nfields; i++)
		add_str(&px->req, fields[i]);
	return 0;
}

/* An 'E' request: expression i on value k. */
static void
add_eval(struct perlx *px, int i, size_t k)
{
	buf_addch(&px->req, 'E');
	add_u32(&px->req, (size_t)i);
	add_u32(&px->req, k);
}

int
perlx_eval(struct perlx *px, int i, size_t k, struct buf *out, int *flags)
{
	size_t had = out->len;

	if (px->broken || i < 0 || (size_t)i >= px->nexprs)
		return -1;
	add_eval(px, i, k);
	if (flush_req(px) == -1)
		return -1;
	if (read_reply(px, flags, out) == -1)
		return -1;
	if (*flags & ERR) {
		/* The message is no value: out is as it was. */
		set_error(px, px->exprs[i], out->data + had, out->len - had);
		out->len = had;
		out->data[had] = '\0';
		return -1;
	}
	return 0;
}

void
perlx_queue(struct perlx *px, int i, size_t k)
{
	if (px->queued == px->queued_cap) {
		px->queued_cap = px->queued_cap == 0 ? 64 : px->queued_cap * 2;
		px->queued_expr = xreallocarray(px->queued_expr,
		    px->queued_cap, sizeof(*px->queued_expr));
		px->queued_k = xreallocarray(px->queued_k, px->queued_cap,
		    sizeof(*px->queued_k));
		px->queued_seq = xreallocarray(px->queued_seq,
		    px->queued_cap, sizeof(*px->queued_seq));
	}
	px->queued_seq[px->queued] = px->seq;
	px->queued_expr[px->queued] = i;
	px->queued_k[px->queued++] = k;
	add_eval(px, i, k);
}

int
perlx_collect(struct perlx *px, struct perlx_reply **replies, size_t *n)
{
	struct perlx_reply *r;
	struct buf v;
	size_t i, want = px->queued;

	*replies = NULL;
	*n = 0;
	px->queued = 0;
	if (px->broken || flush_req(px) == -1)
		return -1;
	r = xcalloc(want + 1, sizeof(*r));
	for (i = 0; i < want; i++) {
		buf_init(&v);
		if (read_reply(px, &r[i].flags, &v) == -1) {
			buf_release(&v);
			perlx_replies_free(r, i);
			return -1;
		}
		r[i].seq = px->queued_seq[i];
		r[i].expr = px->queued_expr[i];
		r[i].k = px->queued_k[i];
		r[i].len = v.len;
		r[i].value = v.data != NULL ? buf_detach(&v) : xstrdup("");
	}
	*replies = r;
	*n = want;
	return 0;
}

void
perlx_replies_free(struct perlx_reply *r, size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		free(r[i].value);
	free(r);
}

int
perlx_use(struct perlx *px, const struct perlx_reply *r, struct buf *out,
    int *flags)
{
	*flags = r->flags;
	if (r->flags & ERR) {
		set_error(px, px->exprs[r->expr], r->value, r->len);
		return -1;
	}
	buf_add(out, r->value, r->len);
	return 0;
}

const char *
perlx_error(const struct perlx *px)
{
	return px->error != NULL ? px->error : "perl failed";
}

void
perlx_free(struct perlx *px)
{
	size_t i;

	if (px == NULL)
		return;
	if (px->fd != -1)
		close(px->fd);	/* perl reads end of file and exits */
	if (px->pid > 0)
		while (waitpid(px->pid, NULL, 0) == -1 && errno == EINTR)
			;
	for (i = 0; i < px->nexprs; i++)
		free(px->exprs[i]);
	free(px->exprs);
	free(px->error);
	free(px->queued_expr);
	free(px->queued_seq);
	free(px->queued_k);
	free(px->rb);
	buf_release(&px->req);
	free(px);
}
