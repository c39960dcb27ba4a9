/*
 * libparx through its public header alone, as a program that uses it
 * would: submitting, waiting in every way, map order and its bound,
 * cancelling, timeouts, captured output, and a host with children and a
 * SIGCHLD handler of its own that the pool must leave alone.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include <sys/stat.h>
#include <sys/wait.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "parx.h"

static struct parx_pool *
pool_of(unsigned slots)
{
	struct parx_pool_opts o;
	struct parx_pool *p;

	parx_pool_opts_init(&o);
	o.slots = slots;
	p = parx_pool_new(&o);
	assert_non_null(p);
	return p;
}

static struct parx_future *
shell(struct parx_pool *p, const char *cmd)
{
	struct parx_future *f = parx_submit_shell(p, cmd, NULL);

	assert_non_null(f);
	return f;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Whether process pid is gone within seconds (its zombie reaped too). */
static bool
gone_within(pid_t pid, double seconds)
{
	double until = now() + seconds;

	while (now() < until) {
		if (kill(pid, 0) == -1 && errno == ESRCH)
			return true;
		usleep(10000);
	}
	return false;
}

static void
submits_many_on_four_slots(void **state)
{
	/* tests/run names a static true, which starts in half the time. */
	const char *const argv[] = { getenv("PARX_TEST_TRUE") != NULL ?
	    getenv("PARX_TEST_TRUE") : "true", NULL };
	enum { N = 10000 };
	struct parx_pool *p = pool_of(4);
	struct parx_future *f;
	static bool seen[N + 1];
	size_t got = 0;

	(void)state;
	for (size_t i = 0; i < N; i++)
		assert_non_null(parx_submit_argv(p, argv, NULL));
	/* Each comes back once, having run and succeeded. */
	while ((f = parx_wait_any(p, -1)) != NULL) {
		const struct parx_result *r = parx_result(f);

		assert_non_null(r);
		assert_int_equal(r->exit_code, 0);
		assert_true(r->seq >= 1 && r->seq <= N);
		assert_false(seen[r->seq]);
		seen[r->seq] = true;
		assert_true(r->pid > 0);
		got++;
		parx_future_free(f);
	}
	assert_int_equal(errno, ECHILD);
	assert_int_equal(got, N);
	parx_pool_free(p);
}

static void
wait_any_is_completion_order(void **state)
{
	struct parx_pool *p = pool_of(3);
	struct parx_future *f[3], *done;
	int order[3] = { 2, 0, 1 };	/* of the submitted: 0.6 s, 0.9 s, 0.2 s */

	(void)state;
	f[0] = shell(p, "sleep 0.6");
	f[1] = shell(p, "sleep 0.9");
	f[2] = shell(p, "sleep 0.2");
	for (int i = 0; i < 3; i++) {
		done = parx_wait_any(p, -1);
		assert_ptr_equal(done, f[order[i]]);
		assert_true(parx_done(done));
	}
	assert_null(parx_wait_any(p, -1));
	assert_int_equal(errno, ECHILD);
	for (int i = 0; i < 3; i++)
		parx_future_free(f[i]);
	parx_pool_free(p);
}

static void
wait_and_wait_any_time_out(void **state)
{
	struct parx_pool *p = pool_of(1);
	struct parx_future *f = shell(p, "sleep 2");
	double t0 = now();

	(void)state;
	assert_int_equal(parx_wait(f, 0.2), -1);
	assert_int_equal(errno, ETIMEDOUT);
	assert_null(parx_wait_any(p, 0.1));
	assert_int_equal(errno, ETIMEDOUT);
	assert_int_equal(parx_wait_all(p, 0.1), -1);
	assert_true(now() - t0 < 1.5);
	assert_false(parx_done(f));
	assert_null(parx_result(f));
	parx_future_free(f);	/* it runs on, the pool's now */
	parx_pool_free(p);	/* which cancels it */
}

struct mapped {
	const char	*dir;
	size_t		 calls;
	size_t		 started_at_first;
	bool		 in_order;
};

static size_t
files_in(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	size_t n = 0;

	assert_non_null(d);
	while ((e = readdir(d)) != NULL)
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static int
check_mapped(void *arg, size_t i, const struct parx_result *r)
{
	struct mapped *m = arg;
	char want[32];

	if (i == 0)
		m->started_at_first = files_in(m->dir);
	snprintf(want, sizeof(want), "%zu %zu\n", i * 10, i + 1);
	if (i != m->calls || r->exit_code != 0 || strcmp(r->out, want) != 0)
		m->in_order = false;
	m->calls++;
	return 0;
}

static void
map_keeps_input_order_and_its_bound(void **state)
{
	enum { N = 60, SLOTS = 3 };
	struct parx_pool *p = pool_of(SLOTS);
	char dir[] = "/tmp/parx-map-XXXXXX", tmpl[256], *inputs[N];
	struct mapped m = { dir, 0, 0, true };

	(void)state;
	assert_non_null(mkdtemp(dir));
	for (size_t i = 0; i < N; i++)
		assert_true(asprintf(&inputs[i], "%zu", i * 10) > 0);
	/* The first job is the slowest by far; each leaves a file. */
	snprintf(tmpl, sizeof(tmpl), "touch %s/{}; "
	    "if [ {} = 0 ]; then sleep 1; fi; echo {} {#}", dir);
	assert_int_equal(parx_map(p, tmpl, (const char *const *)inputs, N,
	    check_mapped, &m), 0);
	assert_int_equal(m.calls, N);
	assert_true(m.in_order);
	/* While the first ran, at most 2 * slots jobs were let start. */
	assert_true(m.started_at_first >= SLOTS);
	assert_true(m.started_at_first <= 2 * SLOTS);
	for (size_t i = 0; i < N; i++) {
		snprintf(tmpl, sizeof(tmpl), "%s/%zu", dir, i * 10);
		unlink(tmpl);
		free(inputs[i]);
	}
	rmdir(dir);
	parx_pool_free(p);
}

static int
stop_at_two(void *arg, size_t i, const struct parx_result *r)
{
	(void)r;
	*(size_t *)arg = i;
	return i == 2;
}

static void
map_quotes_inputs_and_stops_when_told(void **state)
{
	static const char *const hostile[] = {
		"a b", "it's", "$(touch /tmp/parx-pwned)", "; exit 3", "*",
	};
	struct parx_pool *p = pool_of(2);
	size_t last = 0;

	(void)state;
	unlink("/tmp/parx-pwned");
	assert_int_equal(parx_map(p, "printf %s {}", hostile, 5, stop_at_two,
	    &last), -1);
	assert_int_equal(errno, ECANCELED);
	assert_int_equal(last, 2);
	assert_int_equal(access("/tmp/parx-pwned", F_OK), -1);
	parx_pool_free(p);
}

static int
expect_verbatim(void *arg, size_t i, const struct parx_result *r)
{
	const char *const *in = arg;

	assert_int_equal(r->exit_code, 0);
	assert_string_equal(r->out, in[i]);
	return 0;
}

static void
map_passes_hostile_inputs_verbatim(void **state)
{
	static const char *const hostile[] = {
		"a b", "it's", "$(touch /tmp/parx-pwned)", "`id`", "; exit 3",
		"*", "\\", "\"", "-n", "new\nline",
	};
	struct parx_pool *p = pool_of(2);

	(void)state;
	unlink("/tmp/parx-pwned");
	assert_int_equal(parx_map(p, "printf %s {}", hostile, 10,
	    expect_verbatim, (void *)hostile), 0);
	assert_int_equal(access("/tmp/parx-pwned", F_OK), -1);
	parx_pool_free(p);
}

static void
cancel_before_and_after_start(void **state)
{
	struct parx_pool *p = pool_of(1);
	struct parx_future *running, *waiting;
	const struct parx_result *r;
	double t0;

	(void)state;
	unlink("/tmp/parx-cancelled-ran");
	running = shell(p, "sleep 30");
	waiting = shell(p, "touch /tmp/parx-cancelled-ran");
	assert_int_equal(parx_pool_step(p, 0), 1);	/* starts the first */
	assert_int_equal(parx_cancel(waiting), 0);
	r = parx_result(waiting);
	assert_non_null(r);
	assert_true(r->cancelled);
	assert_int_equal(r->error, ECANCELED);
	assert_int_equal(r->pid, -1);
	t0 = now();
	assert_int_equal(parx_cancel(running), 0);
	assert_int_equal(parx_cancel(running), -1);
	assert_int_equal(errno, EALREADY);
	assert_int_equal(parx_wait(running, 10), 0);
	assert_true(now() - t0 < 2);
	r = parx_result(running);
	assert_true(r->cancelled);
	assert_int_equal(r->signal, SIGTERM);
	assert_int_equal(r->exit_code, -1);
	assert_int_equal(parx_cancel(running), -1);
	assert_int_equal(errno, EALREADY);
	assert_int_equal(parx_wait_all(p, 5), 0);
	assert_int_equal(access("/tmp/parx-cancelled-ran", F_OK), -1);
	parx_future_free(running);
	parx_future_free(waiting);
	parx_pool_free(p);
}

static void
timeout_ends_the_grandchildren_too(void **state)
{
	struct parx_pool *p = pool_of(2);
	struct parx_job_opts jo;
	struct parx_future *f, *g;
	char pidfile[] = "/tmp/parx-gc-XXXXXX", cmd[256], buf[32] = "";
	const struct parx_result *r;
	pid_t gc;
	int fd;

	(void)state;
	assert_true((fd = mkstemp(pidfile)) != -1);
	close(fd);
	parx_job_opts_init(&jo);
	jo.timeout = 0.5;
	snprintf(cmd, sizeof(cmd), "sleep 300 & echo $! >%s; wait", pidfile);
	f = parx_submit_shell(p, cmd, &jo);
	g = shell(p, "sleep 0.1");	/* no timeout of its own */
	assert_int_equal(parx_wait(f, 10), 0);
	r = parx_result(f);
	assert_true(r->timed_out);
	assert_int_equal(r->signal, SIGTERM);
	assert_false(r->cancelled);
	assert_false(parx_result(g)->timed_out);
	assert_int_equal(parx_result(g)->exit_code, 0);
	fd = open(pidfile, O_RDONLY);
	assert_true(read(fd, buf, sizeof(buf) - 1) > 0);
	close(fd);
	gc = (pid_t)atol(buf);
	assert_true(gc > 1);
	assert_true(gone_within(gc, 3));
	unlink(pidfile);
	parx_future_free(f);
	parx_future_free(g);
	parx_pool_free(p);
}

static volatile sig_atomic_t chld_seen;

static void
on_chld(int sig)
{
	(void)sig;
	chld_seen++;
}

static void
leaves_the_hosts_children_and_signals_alone(void **state)
{
	struct sigaction sa, after;
	sigset_t mask, mask_after;
	struct parx_pool *p;
	pid_t mine, other;
	int st;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_chld;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGCHLD, &sa, NULL), 0);
	sigemptyset(&mask);
	sigaddset(&mask, SIGUSR2);
	assert_int_equal(sigprocmask(SIG_SETMASK, &mask, NULL), 0);
	/* One of the host's children ends while the pool works. */
	if ((mine = fork()) == 0) {
		usleep(200000);
		_exit(7);
	}
	if ((other = fork()) == 0) {
		alarm(60);	/* gone, should an assertion end the test */
		pause();
		_exit(0);
	}
	p = pool_of(2);
	for (int i = 0; i < 20; i++)
		shell(p, "sleep 0.05");
	assert_int_equal(parx_wait_all(p, 30), 0);
	parx_pool_free(p);
	/* Never reaped nor killed by the pool: they are still ours. */
	assert_int_equal(waitpid(mine, &st, 0), mine);
	assert_true(WIFEXITED(st));
	assert_int_equal(WEXITSTATUS(st), 7);
	assert_int_equal(kill(other, 0), 0);
	assert_int_equal(waitpid(other, &st, WNOHANG), 0);
	kill(other, SIGKILL);
	assert_int_equal(waitpid(other, &st, 0), other);
	assert_true(chld_seen > 0);
	/* The handler and the mask are the host's still. */
	assert_int_equal(sigaction(SIGCHLD, NULL, &after), 0);
	assert_ptr_equal(after.sa_handler, on_chld);
	assert_int_equal(sigprocmask(SIG_SETMASK, NULL, &mask_after), 0);
	assert_int_equal(sigismember(&mask_after, SIGUSR2), 1);
	assert_int_equal(sigismember(&mask_after, SIGCHLD), 0);
	signal(SIGCHLD, SIG_DFL);
	sigemptyset(&mask);
	sigprocmask(SIG_SETMASK, &mask, NULL);
}

static void
reap_all(int sig)
{
	int e = errno;

	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0)
		;
	errno = e;
}

static void
a_host_that_reaps_every_child_does_not_hang_it(void **state)
{
	struct sigaction sa;
	struct parx_pool *p = pool_of(2);
	struct parx_future *f[6];
	int i, e;

	(void)state;
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = reap_all;
	sa.sa_flags = SA_RESTART;
	sigemptyset(&sa.sa_mask);
	assert_int_equal(sigaction(SIGCHLD, &sa, NULL), 0);
	for (i = 0; i < 6; i++)
		f[i] = shell(p, "sleep 0.05");
	/* Its statuses are lost to the host; its jobs still end. */
	assert_int_equal(parx_wait_all(p, 20), 0);
	for (i = 0; i < 6; i++) {
		e = parx_result(f[i])->exit_code;
		assert_true(e == 0 || e == 255);
		parx_future_free(f[i]);
	}
	signal(SIGCHLD, SIG_DFL);
	parx_pool_free(p);
}

static void
jobs_get_default_signals(void **state)
{
	struct parx_pool *p = pool_of(1);
	struct parx_future *f;

	(void)state;
	signal(SIGPIPE, SIG_IGN);
	/*
	 * yes dies of SIGPIPE (status 141) once head is done, unless
	 * SIGPIPE is ignored: then it fails with EPIPE (status 1).
	 */
	f = shell(p, "{ { yes; echo $? >&3; } | head -c1 >/dev/null; } "
	    "3>&1 2>/dev/null");
	assert_int_equal(parx_wait(f, 10), 0);
	assert_string_equal(parx_result(f)->out, "141\n");
	signal(SIGPIPE, SIG_DFL);
	parx_future_free(f);
	parx_pool_free(p);
}

static void
captures_bytes_exactly(void **state)
{
	struct parx_pool *p = pool_of(2);
	struct parx_future *nul, *big, *page;
	const struct parx_result *r;
	size_t i;

	(void)state;
	nul = shell(p, "printf 'a\\000b\\000'; printf 'e\\000' >&2");
	big = shell(p, "head -c 5000000 /dev/zero | tr '\\000' x");
	page = shell(p, "head -c 1228800 /dev/zero | tr '\\000' y");
	assert_int_equal(parx_wait_all(p, 30), 0);
	r = parx_result(nul);
	assert_int_equal(r->out_len, 4);
	assert_memory_equal(r->out, "a\0b\0", 5);
	assert_int_equal(r->err_len, 2);
	assert_memory_equal(r->err, "e\0", 3);
	r = parx_result(big);
	assert_int_equal(r->output_errno, 0);
	assert_int_equal(r->out_len, 5000000);
	for (i = 0; i < r->out_len && r->out[i] == 'x'; i++)
		;
	assert_int_equal(i, 5000000);
	assert_int_equal(r->out[i], '\0');
	r = parx_result(page);	/* a whole number of pages */
	assert_int_equal(r->out_len, 1228800);
	assert_int_equal(r->out[r->out_len - 1], 'y');
	assert_int_equal(r->out[r->out_len], '\0');
	parx_future_free(nul);
	parx_future_free(big);
	parx_future_free(page);
	parx_pool_free(p);
}

static void
job_options_reach_the_job(void **state)
{
	static const char *const env[] = { "PARX_T1=one two", "HOME=/nowhere",
	    NULL };
	static const char *const argv[] = { "sh", "-c",
	    "printf '%s|%s|%s|' \"$PARX_T1\" \"$HOME\" \"$PWD\"; cat", NULL };
	struct parx_pool *p = pool_of(2);
	struct parx_job_opts jo;
	struct parx_future *f, *g;
	int fd[2], x = 42;

	(void)state;
	parx_job_opts_init(&jo);
	jo.env = env;
	jo.cwd = "/usr";
	jo.stdin_data = "from memory";
	jo.stdin_len = 11;
	jo.data = &x;
	f = parx_submit_argv(p, argv, &jo);
	assert_non_null(f);
	assert_int_equal(pipe(fd), 0);
	assert_int_equal(write(fd[1], "from a pipe", 11), 11);
	close(fd[1]);
	parx_job_opts_init(&jo);
	jo.stdin_fd = fd[0];
	g = parx_submit_argv(p, argv, &jo);
	close(fd[0]);	/* the pool has its own */
	assert_int_equal(parx_wait_all(p, 10), 0);
	assert_string_equal(parx_result(f)->out,
	    "one two|/nowhere|/usr|from memory");
	assert_ptr_equal(parx_result(f)->data, &x);
	assert_string_equal(parx_result(g)->out + strlen(parx_result(g)->out) -
	    strlen("|from a pipe"), "|from a pipe");
	parx_future_free(f);
	parx_future_free(g);
	parx_pool_free(p);
}

static void
reports_what_cannot_start(void **state)
{
	static const char *const argv[] = { "/no/such/program", "x", NULL };
	static const char *const empty[] = { NULL };
	struct parx_pool *p = pool_of(1);
	struct parx_future *f;
	const struct parx_result *r;
	double t0 = now();

	(void)state;
	f = parx_submit_argv(p, argv, NULL);
	/* At once: nothing else is running to wake the pool. */
	assert_int_equal(parx_wait(f, 10), 0);
	assert_true(now() - t0 < 3);
	r = parx_result(f);
	assert_int_equal(r->error, ENOENT);
	assert_int_equal(r->exit_code, -1);
	assert_int_equal(r->pid, -1);
	assert_null(parx_submit_argv(p, empty, NULL));
	assert_int_equal(errno, EINVAL);
	parx_future_free(f);
	parx_pool_free(p);
}

static void
usage_is_measured(void **state)
{
	struct parx_pool *p = pool_of(2);
	struct parx_future *f;
	const struct parx_result *r;

	(void)state;
	f = shell(p, "i=0; while [ $i -lt 200000 ]; do i=$((i+1)); done");
	assert_int_equal(parx_wait(f, 30), 0);
	r = parx_result(f);
	assert_true(r->user_cpu + r->system_cpu > 0.05);
	assert_true(r->max_rss_kb > 0);
	assert_true(r->wall > 0.05);
	parx_future_free(f);
	parx_pool_free(p);
}

static void
drives_from_a_callers_poll_loop(void **state)
{
	struct parx_pool *p = pool_of(1);
	struct parx_job_opts jo;
	struct parx_future *f[5];
	struct pollfd pfd;
	int rounds = 0, i;

	(void)state;
	pfd.fd = parx_pool_fd(p);
	assert_true(pfd.fd >= 0);
	pfd.events = POLLIN;
	/* Nothing to do yet: the descriptor is quiet. */
	assert_int_equal(poll(&pfd, 1, 50), 0);
	for (i = 0; i < 4; i++)
		f[i] = shell(p, "sleep 0.1; echo done");
	/* The last has a deadline, which the pool's timer must forget. */
	parx_job_opts_init(&jo);
	jo.timeout = 0.6;
	assert_non_null(f[4] = parx_submit_shell(p, "echo done", &jo));
	/*
	 * Submitted work wakes the loop, and so does a slot freed for the
	 * next job (one slot: each ends before the next can start); the
	 * loop never blocks in the pool.
	 */
	while (!parx_done(f[4])) {
		assert_true(poll(&pfd, 1, 5000) == 1);
		assert_true(parx_pool_step(p, 0) >= 0);
		assert_true(++rounds < 1000);
	}
	for (i = 0; i < 5; i++) {
		assert_string_equal(parx_result(f[i])->out, "done\n");
		parx_future_free(f[i]);
	}
	assert_int_equal(parx_pool_step(p, -1), 0);	/* idle: no wait */
	/* Idle, the descriptor goes quiet (at most one more wake-up). */
	if (poll(&pfd, 1, 1000) == 1)
		assert_int_equal(parx_pool_step(p, 0), 0);
	assert_int_equal(poll(&pfd, 1, 0), 0);
	parx_pool_free(p);
}

/*
 * Runs the n shell commands through a pool of slots streaming as output
 * into one unnamed file (out_fd and err_fd alike, neither the program's
 * own 1 nor 2), and checks that the file ends up holding want.
 */
static void
check_streamed(enum parx_output output, unsigned slots,
    const char *const *cmds, size_t n, const char *want)
{
	struct parx_pool_opts o;
	struct parx_pool *p;
	char path[] = "/tmp/parx-stream-XXXXXX", got[64] = "";
	size_t i;
	int fd;

	assert_true((fd = mkstemp(path)) != -1);
	unlink(path);
	parx_pool_opts_init(&o);
	o.slots = slots;
	o.output = output;
	o.out_fd = o.err_fd = fd;
	p = parx_pool_new(&o);
	assert_non_null(p);
	for (i = 0; i < n; i++)
		parx_future_free(shell(p, cmds[i]));
	assert_int_equal(parx_pool_shutdown(p, true), 0);
	parx_pool_free(p);
	assert_int_equal(pread(fd, got, sizeof(got) - 1, 0), strlen(want));
	assert_string_equal(got, want);
	close(fd);
}

static void
streams_in_submission_order(void **state)
{
	static const char *const cmds[] = {
		"sleep 0.4; echo 1", "sleep 0.1; echo 2", "echo 3",
	};

	(void)state;
	check_streamed(PARX_KEEP, 3, cmds, 3, "1\n2\n3\n");
}

static void
streams_ungrouped_to_the_given_descriptor(void **state)
{
	static const char *const cmds[] = { "echo out; echo err >&2" };

	(void)state;
	check_streamed(PARX_UNGROUP, 1, cmds, 1, "out\nerr\n");
}

static void
queue_max_holds_the_submitter_back(void **state)
{
	struct parx_pool_opts o;
	struct parx_pool *p;
	struct parx_future *f[3];
	double t0 = now();

	(void)state;
	parx_pool_opts_init(&o);
	o.slots = 1;
	o.queue_max = 1;
	p = parx_pool_new(&o);
	f[0] = shell(p, "sleep 0.3");
	f[1] = shell(p, "true");	/* the first is running by now */
	f[2] = shell(p, "true");	/* waits for a place in the queue */
	assert_true(now() - t0 >= 0.25);
	assert_true(parx_done(f[0]));
	for (int i = 0; i < 3; i++)
		parx_future_free(f[i]);
	parx_pool_free(p);
}

static void
shutdown_without_waiting_cancels(void **state)
{
	struct parx_pool *p = pool_of(1);
	struct parx_future *f, *g;
	double t0 = now();

	(void)state;
	f = shell(p, "sleep 30");
	g = shell(p, "sleep 30");
	assert_int_equal(parx_pool_step(p, 0), 1);
	assert_int_equal(parx_pool_shutdown(p, false), 0);
	assert_true(now() - t0 < 3);
	assert_true(parx_result(f)->cancelled);
	assert_int_equal(parx_result(g)->error, ECANCELED);
	assert_null(parx_submit_shell(p, "true", NULL));
	assert_int_equal(errno, EINVAL);
	/* Futures left to the pool are freed with it (ASan checks). */
	parx_pool_free(p);
}

/*
 * Submits, cancels, frees, waits and steps in a random order (a fixed
 * seed), so that ASan sees every path a future can take through the
 * pool in every order: queued, running or done when cancelled or
 * freed, freed before or after wait_any returns it.
 */
static void
random_interleavings_hold_together(void **state)
{
	enum { LIVE = 24, OPS = 1500 };
	static const char *const cmds[] = {
		"true", "exit 3", "sleep 0.05", "echo out; echo err >&2",
		"kill -9 $$", "sleep 0.2",
	};
	struct parx_pool_opts o;
	struct parx_future *live[LIVE] = { 0 }, *f;
	struct parx_pool *p;
	unsigned seed = 12345;
	const struct parx_result *r;
	int op, k;

	(void)state;
	/* PARX_TEST_SEED=N: another order, to look for more. */
	if (getenv("PARX_TEST_SEED") != NULL)
		seed = (unsigned)atoi(getenv("PARX_TEST_SEED"));
	parx_pool_opts_init(&o);
	o.slots = 3;
	o.timeout = 0.1;	/* the sleep 0.2 jobs time out */
	p = parx_pool_new(&o);
	assert_non_null(p);
	for (op = 0; op < OPS; op++) {
		k = rand_r(&seed) % LIVE;
		switch (rand_r(&seed) % 6) {
		case 0:
		case 1:
			if (live[k] == NULL)
				live[k] = shell(p, cmds[rand_r(&seed) % 6]);
			break;
		case 2:
			if (live[k] != NULL)
				(void)parx_cancel(live[k]);
			break;
		case 3:
			parx_future_free(live[k]);	/* done or not */
			live[k] = NULL;
			break;
		case 4:
			(void)parx_pool_step(p, rand_r(&seed) % 3 == 0 ? 5 : 0);
			break;
		case 5:
			/* One that completed, if it is still ours, is done. */
			if ((f = parx_wait_any(p, 0.01)) == NULL)
				break;
			assert_true(parx_done(f));
			r = parx_result(f);
			assert_true(r->exit_code >= -1 && r->exit_code <= 255);
			break;
		}
	}
	assert_int_equal(parx_wait_all(p, 30), 0);
	for (k = 0; k < LIVE; k++)
		if (live[k] != NULL) {
			assert_true(parx_done(live[k]));
			parx_future_free(live[k]);
		}
	parx_pool_free(p);
}

static void
rejects_bad_options(void **state)
{
	struct parx_pool_opts o;

	(void)state;
	parx_pool_opts_init(&o);
	o.termseq = "TERM,x";
	assert_null(parx_pool_new(&o));
	assert_int_equal(errno, EINVAL);
	parx_pool_opts_init(&o);
	o.output = (enum parx_output)42;
	assert_null(parx_pool_new(&o));
	assert_int_equal(errno, EINVAL);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(submits_many_on_four_slots),
		cmocka_unit_test(wait_any_is_completion_order),
		cmocka_unit_test(wait_and_wait_any_time_out),
		cmocka_unit_test(map_keeps_input_order_and_its_bound),
		cmocka_unit_test(map_quotes_inputs_and_stops_when_told),
		cmocka_unit_test(map_passes_hostile_inputs_verbatim),
		cmocka_unit_test(cancel_before_and_after_start),
		cmocka_unit_test(timeout_ends_the_grandchildren_too),
		cmocka_unit_test(leaves_the_hosts_children_and_signals_alone),
		cmocka_unit_test(a_host_that_reaps_every_child_does_not_hang_it),
		cmocka_unit_test(jobs_get_default_signals),
		cmocka_unit_test(captures_bytes_exactly),
		cmocka_unit_test(job_options_reach_the_job),
		cmocka_unit_test(reports_what_cannot_start),
		cmocka_unit_test(usage_is_measured),
		cmocka_unit_test(drives_from_a_callers_poll_loop),
		cmocka_unit_test(streams_in_submission_order),
		cmocka_unit_test(streams_ungrouped_to_the_given_descriptor),
		cmocka_unit_test(queue_max_holds_the_submitter_back),
		cmocka_unit_test(shutdown_without_waiting_cancels),
		cmocka_unit_test(random_interleavings_hold_together),
		cmocka_unit_test(rejects_bad_options),
	};

	/* PARX_TEST_FILTER=name*: only those (while changing one thing). */
	if (getenv("PARX_TEST_FILTER") != NULL)
		cmocka_set_test_filter(getenv("PARX_TEST_FILTER"));
	return cmocka_run_group_tests(tests, NULL, NULL);
}
