/*
 * berth-transport: the per-call executable that Podman runs as its network
 * backend (bin/podman/netavark) and a CNI runtime runs as a plugin
 * (bin/cni/berth). A transport only, with no networking logic: it sends
 * argv, the BERTH_*, CNI_*, RUST_LOG and DBUS_SYSTEM_BUS_ADDRESS environment
 * and stdin to the Berth service
 * (<run dir>/berth.sock, docs/api.md), copies the reply's stdout and stderr
 * bytes out and exits with the reply's exit code. When nothing serves the
 * socket it runs `bin/berth-service --ensure` (Node) once and retries. Any
 * failure of its own is reported in the caller's protocol: {"error": ...}
 * for netavark, a CNI error object for CNI, exit code 1.
 *
 * Which protocol: the name it was run as ("netavark", else CNI). No
 * dependencies beyond libc; built by scripts/install-deps.sh and
 * `npm run build` (scripts/build-native.sh) with the system C compiler.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#ifndef BERTH_NODE
#define BERTH_NODE "/usr/bin/node"
#endif

extern char **environ;

static int netavark_mode;

/* a growing byte buffer */
struct buf {
	char *p;
	size_t len, cap;
};

static void fail(const char *msg, const char *hint);

static void put(struct buf *b, const char *s, size_t n)
{
	if (b->len + n + 1 > b->cap) {
		size_t cap = b->cap ? b->cap : 4096;
		while (b->len + n + 1 > cap)
			cap *= 2;
		char *p = realloc(b->p, cap);
		if (!p)
			fail("out of memory", NULL);
		b->p = p;
		b->cap = cap;
	}
	memcpy(b->p + b->len, s, n);
	b->len += n;
	b->p[b->len] = 0;
}

static void puts_(struct buf *b, const char *s) { put(b, s, strlen(s)); }

/* s as the content of a JSON string: quotes, backslashes and control bytes escaped, UTF-8 as is */
static void put_escaped(struct buf *b, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned char c = (unsigned char)s[i];
		char esc[8];
		if (c == '"' || c == '\\') {
			esc[0] = '\\';
			esc[1] = (char)c;
			put(b, esc, 2);
		} else if (c < 0x20) {
			snprintf(esc, sizeof esc, "\\u%04x", c);
			put(b, esc, 6);
		} else
			put(b, (const char *)&s[i], 1);
	}
}

static void put_string(struct buf *b, const char *s, size_t n)
{
	put(b, "\"", 1);
	put_escaped(b, s, n);
	put(b, "\"", 1);
}

static void write_all(int fd, const char *p, size_t n)
{
	while (n > 0) {
		ssize_t w = write(fd, p, n);
		if (w < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		p += w;
		n -= (size_t)w;
	}
}

/* the caller's protocol's error reply (msg and hint are JSON string contents, already escaped), exit 1 */
static void fail_escaped(const char *msg, const char *hint)
{
	struct buf b = {0};
	if (netavark_mode) {
		puts_(&b, "{\"error\":\"");
		puts_(&b, msg);
		if (hint && *hint) {
			puts_(&b, ". Hint: ");
			puts_(&b, hint);
		}
		puts_(&b, "\"}\n");
	} else {
		/* CNI error code 11: "try again later" (a transient condition) */
		puts_(&b, "{\"cniVersion\":\"1.0.0\",\"code\":11,\"msg\":\"");
		puts_(&b, msg);
		puts_(&b, "\",\"details\":\"");
		if (hint)
			puts_(&b, hint);
		puts_(&b, "\"}\n");
	}
	write_all(1, b.p, b.len);
	exit(1);
}

static void fail(const char *msg, const char *hint)
{
	struct buf m = {0}, h = {0};
	put_escaped(&m, msg, strlen(msg));
	put_escaped(&h, hint ? hint : "", hint ? strlen(hint) : 0);
	fail_escaped(m.p, h.p);
}

static char *read_fd(int fd, size_t *len)
{
	struct buf b = {0};
	char chunk[65536];
	puts_(&b, "");
	for (;;) {
		ssize_t r = read(fd, chunk, sizeof chunk);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		put(&b, chunk, (size_t)r);
	}
	*len = b.len;
	return b.p;
}

static char *read_file(const char *path, size_t *len)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return NULL;
	char *s = read_fd(fd, len);
	close(fd);
	return s;
}

static const char *basename_of(const char *p)
{
	const char *s = strrchr(p, '/');
	return s ? s + 1 : p;
}

/* the BERTH_* settings berth.conf beside the netavark program gives (backend-config.ts), or NULL */
static char *conf_value(const char *conf, const char *key, char *out, size_t n)
{
	size_t kl = strlen(key);
	for (const char *line = conf; line && *line; line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
		while (*line == ' ' || *line == '\t')
			line++;
		if (strncmp(line, key, kl) != 0)
			continue;
		const char *v = line + kl;
		while (*v == ' ' || *v == '\t')
			v++;
		if (*v != '=')
			continue;
		v++;
		while (*v == ' ' || *v == '\t')
			v++;
		size_t l = strcspn(v, "\r\n");
		while (l > 0 && (v[l - 1] == ' ' || v[l - 1] == '\t'))
			l--;
		if (l >= n)
			return NULL;
		memcpy(out, v, l);
		out[l] = 0;
		return out;
	}
	return NULL;
}

/* where the service's socket is: as paths.ts computes the run dir */
static void socket_path(const char *program, char *out, size_t n)
{
	char root[PATH_MAX], run[PATH_MAX];
	const char *r = getenv("BERTH_ROOT"), *d = getenv("BERTH_RUN_DIR");
	if (netavark_mode && strchr(program, '/')) {
		char conf[PATH_MAX];
		const char *slash = strrchr(program, '/');
		snprintf(conf, sizeof conf, "%.*s/berth.conf", (int)(slash - program), program);
		size_t len;
		char *text = read_file(conf, &len);
		if (text) {
			/* its settings replace the environment's (backend-config.ts) */
			r = conf_value(text, "BERTH_ROOT", root, sizeof root);
			d = conf_value(text, "BERTH_RUN_DIR", run, sizeof run);
		}
	}
	if (d && *d)
		snprintf(out, n, "%s/berth.sock", d);
	else if (r && *r)
		snprintf(out, n, "%s/run/berth.sock", r);
	else
		snprintf(out, n, "/run/berth/berth.sock");
}

/* this installation's directory (the checkout), from dist/native/berth-transport */
static void install_dir(char *out, size_t n)
{
	char exe[PATH_MAX];
	ssize_t l = readlink("/proc/self/exe", exe, sizeof exe - 1);
	if (l <= 0)
		fail("cannot find the Berth installation (readlink /proc/self/exe failed)", NULL);
	exe[l] = 0;
	for (int i = 0; i < 3; i++) {
		char *s = strrchr(exe, '/');
		if (!s)
			break;
		*s = 0;
	}
	snprintf(out, n, "%s", exe);
}

static long timeout_ms(void)
{
	const char *t = getenv("BERTH_SERVICE_TIMEOUT");
	long s = t ? atol(t) : 10;
	return (s > 0 ? s : 10) * 1000;
}

/* `bin/berth-service --ensure`: start the service (or replace an older one); its complaint becomes ours */
static void ensure_service(void)
{
	char dir[PATH_MAX], prog[PATH_MAX + 32];
	install_dir(dir, sizeof dir);
	snprintf(prog, sizeof prog, "%s/bin/berth-service", dir);
	int p[2];
	if (pipe2(p, O_CLOEXEC) != 0)
		fail("pipe failed", NULL);
	pid_t pid = fork();
	if (pid < 0)
		fail("fork failed", NULL);
	if (pid == 0) {
		int devnull = open("/dev/null", O_RDONLY);
		dup2(devnull, 0);
		dup2(p[1], 1);
		dup2(p[1], 2);
		unsetenv("NODE_EXTRA_CA_CERTS");
		execl(BERTH_NODE, BERTH_NODE, prog, "--ensure", (char *)NULL);
		dprintf(2, "Error: cannot run %s: %s\n", BERTH_NODE, strerror(errno));
		_exit(127);
	}
	close(p[1]);
	size_t len;
	char *said = read_fd(p[0], &len);
	close(p[0]);
	int st;
	while (waitpid(pid, &st, 0) < 0 && errno == EINTR)
		;
	if (!WIFEXITED(st) || WEXITSTATUS(st) != 0) {
		while (len > 0 && said[len - 1] == '\n')
			said[--len] = 0;
		fail(len ? said : "the Berth service could not be started", "See service.log in Berth's run dir");
	}
}

static int connect_to(const char *path)
{
	struct sockaddr_un a = {.sun_family = AF_UNIX};
	if (strlen(path) >= sizeof a.sun_path)
		fail("the Berth service's socket path is too long", "Use a shorter BERTH_ROOT or BERTH_RUN_DIR");
	strcpy(a.sun_path, path);
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		fail("socket failed", NULL);
	if (connect(fd, (struct sockaddr *)&a, sizeof a) == 0)
		return fd;
	int e = errno;
	close(fd);
	errno = e;
	return -1;
}

/* the number after "key": in a reply line, or -1 */
static long field_number(const char *line, const char *key)
{
	const char *s = strstr(line, key);
	if (!s)
		return -1;
	s += strlen(key);
	while (*s == ' ')
		s++;
	return strtol(s, NULL, 10);
}

/* a string field's raw (still escaped) content, copied into out */
static void field_string(const char *line, const char *key, char *out, size_t n)
{
	out[0] = 0;
	const char *s = strstr(line, key);
	if (!s)
		return;
	s += strlen(key);
	while (*s == ' ')
		s++;
	if (*s != '"')
		return;
	s++;
	size_t i = 0;
	while (*s && *s != '"' && i + 2 < n) {
		if (*s == '\\' && s[1]) {
			out[i++] = *s++;
		}
		out[i++] = *s++;
	}
	out[i] = 0;
}

/* reads the reply; returns 0 when it exited, 1 when the service wants replacing (an older build) */
static int exchange(int fd, const char *request, size_t request_len)
{
	write_all(fd, request, request_len);
	struct buf in = {0};
	long silence = timeout_ms();
	size_t line_end = 0;
	long out_n = -1, err_n = 0, code = 0;
	char chunk[65536];
	for (;;) {
		/* a complete reply? */
		if (out_n < 0) {
			char *nl;
			while (in.len > 0 && (nl = memchr(in.p, '\n', in.len)) != NULL) {
				*nl = 0;
				line_end = (size_t)(nl - in.p) + 1;
				if (strstr(in.p, "\"pending\":true")) {
					memmove(in.p, in.p + line_end, in.len - line_end);
					in.len -= line_end;
					continue;
				}
				if (strstr(in.p, "\"error\":")) {
					char code_s[64], msg[4096], hint[4096];
					field_string(in.p, "\"code\":", code_s, sizeof code_s);
					if (strcmp(code_s, "SERVICE_OUTDATED") == 0)
						return 1;
					field_string(in.p, "\"message\":", msg, sizeof msg);
					field_string(in.p, "\"hint\":", hint, sizeof hint);
					fail_escaped(msg[0] ? msg : "the Berth service refused the call", hint);
				}
				out_n = field_number(in.p, "\"stdoutBytes\":");
				err_n = field_number(in.p, "\"stderrBytes\":");
				code = field_number(in.p, "\"exitCode\":");
				if (out_n < 0 || err_n < 0 || code < 0)
					fail("the Berth service sent a reply this transport does not understand", "Rebuild Berth (npm run build) so the service and the transport match");
				break;
			}
		}
		if (out_n >= 0 && in.len >= line_end + (size_t)out_n + (size_t)err_n) {
			write_all(1, in.p + line_end, (size_t)out_n);
			write_all(2, in.p + line_end + out_n, (size_t)err_n);
			exit((int)code);
		}
		struct pollfd p = {.fd = fd, .events = POLLIN};
		int r = poll(&p, 1, (int)silence);
		if (r < 0 && errno == EINTR)
			continue;
		if (r == 0) {
			char msg[256];
			snprintf(msg, sizeof msg, "the Berth service has not answered for %ld s", silence / 1000);
			fail(msg, "It may be stopped or hung: see service.pid in Berth's run dir; `kill PID` ends it, and the next call starts a new one");
		}
		ssize_t got = read(fd, chunk, sizeof chunk);
		if (got < 0 && errno == EINTR)
			continue;
		if (got <= 0)
			fail("the Berth service ended while it handled this call (killed or crashed)", "Run the call again: the service restarts and rolls back what was left half-done");
		put(&in, chunk, (size_t)got);
	}
}


/*
 * A network namespace path means something only in the mount namespace it
 * was given in (containerd and Podman may run in their own). Whether the
 * service runs in another mount namespace than this caller: then the call
 * runs here instead, through the Node plugin beside this file (argv,
 * environment and stdin unchanged), slower but seeing the caller's paths.
 */
static int service_in_other_mount_ns(const char *sock)
{
	char pidfile[PATH_MAX + 16];
	snprintf(pidfile, sizeof pidfile, "%s", sock);
	char *slash = strrchr(pidfile, '/');
	if (!slash)
		return 0;
	snprintf(slash, sizeof pidfile - (size_t)(slash - pidfile), "/service.pid");
	size_t len = 0;
	char *text = read_file(pidfile, &len);
	if (!text)
		return 0;
	long pid = strtol(text, NULL, 10);
	free(text);
	if (pid <= 0)
		return 0;
	char theirs_path[64], theirs[128] = {0}, ours[128] = {0};
	snprintf(theirs_path, sizeof theirs_path, "/proc/%ld/ns/mnt", pid);
	if (readlink(theirs_path, theirs, sizeof theirs - 1) <= 0 || readlink("/proc/self/ns/mnt", ours, sizeof ours - 1) <= 0)
		return 0;
	return strcmp(theirs, ours) != 0;
}

int main(int argc, char **argv)
{
	signal(SIGPIPE, SIG_IGN);
	const char *program = argc > 0 ? argv[0] : "berth";
	/* netavark, or a wrapper's name for it (berth-netavark): Podman's protocol */
	netavark_mode = strstr(basename_of(program), "netavark") != NULL;
	char abs_program[2 * PATH_MAX + 2];
	if (program[0] != '/' && strchr(program, '/')) {
		char cwd[PATH_MAX];
		if (getcwd(cwd, sizeof cwd))
			snprintf(abs_program, sizeof abs_program, "%s/%s", cwd, program);
		else
			snprintf(abs_program, sizeof abs_program, "%s", program);
		program = abs_program;
	}

	char sock[PATH_MAX];
	socket_path(program, sock, sizeof sock);
	if (service_in_other_mount_ns(sock)) {
		char idir[PATH_MAX], fallback[PATH_MAX + 64];
		install_dir(idir, sizeof idir);
		snprintf(fallback, sizeof fallback, "%s/bin/%s", idir, netavark_mode ? "podman/netavark-node" : "cni/berth-node");
		argv[0] = fallback;
		execv(fallback, argv);
		fail("the Berth service runs in another mount namespace and the Node plugin could not be started", "Run npm run build in the Berth checkout");
	}

	/* stdin: CNI always sends it; netavark only for setup/teardown without --file */
	int want_stdin = !netavark_mode;
	if (netavark_mode) {
		int verb = 0, file = 0;
		for (int i = 1; i < argc; i++) {
			if (!strcmp(argv[i], "setup") || !strcmp(argv[i], "teardown"))
				verb = 1;
			if (!strcmp(argv[i], "-f") || !strcmp(argv[i], "--file") || !strncmp(argv[i], "--file=", 7))
				file = 1;
		}
		want_stdin = verb && !file;
	}
	size_t stdin_len = 0;
	char *stdin_text = want_stdin && !isatty(0) ? read_fd(0, &stdin_len) : NULL;

	char dir[PATH_MAX], build_file[PATH_MAX + 16], cwd[PATH_MAX];
	install_dir(dir, sizeof dir);
	snprintf(build_file, sizeof build_file, "%s/dist/build-id", dir);
	size_t build_len = 0;
	char *build = read_file(build_file, &build_len);
	while (build && build_len > 0 && (build[build_len - 1] == '\n' || build[build_len - 1] == ' '))
		build[--build_len] = 0;

	struct buf req = {0};
	puts_(&req, "{\"v\":1,\"id\":1,\"method\":\"exec\",\"build\":");
	put_string(&req, build ? build : "", build_len);
	puts_(&req, ",\"env\":{");
	int first = 1;
	for (char **e = environ; *e; e++) {
		/* RUST_LOG: Podman's log level (netavark-call.ts writes Berth's own error text at info);
		 * DBUS_SYSTEM_BUS_ADDRESS: the bus firewalld is asked on (sync/trusted-zone.ts), as netavark reads it */
		if (strncmp(*e, "BERTH_", 6) != 0 && strncmp(*e, "CNI_", 4) != 0 && strncmp(*e, "RUST_LOG=", 9) != 0 &&
		    strncmp(*e, "DBUS_SYSTEM_BUS_ADDRESS=", 24) != 0)
			continue;
		const char *eq = strchr(*e, '=');
		if (!eq)
			continue;
		if (!first)
			puts_(&req, ",");
		first = 0;
		put_string(&req, *e, (size_t)(eq - *e));
		puts_(&req, ":");
		put_string(&req, eq + 1, strlen(eq + 1));
	}
	puts_(&req, "},\"params\":{\"program\":");
	puts_(&req, netavark_mode ? "\"netavark\"" : "\"cni\"");
	puts_(&req, ",\"argv\":[");
	for (int i = 1; i < argc; i++) {
		if (i > 1)
			puts_(&req, ",");
		put_string(&req, argv[i], strlen(argv[i]));
	}
	puts_(&req, "],\"programPath\":");
	put_string(&req, program, strlen(program));
	if (getcwd(cwd, sizeof cwd)) {
		puts_(&req, ",\"cwd\":");
		put_string(&req, cwd, strlen(cwd));
	}
	if (stdin_text) {
		puts_(&req, ",\"stdin\":");
		put_string(&req, stdin_text, stdin_len);
	}
	puts_(&req, "}}\n");

	for (int attempt = 0; attempt < 3; attempt++) {
		int fd = connect_to(sock);
		if (fd < 0) {
			if (errno == EACCES || errno == EPERM)
				fail("cannot reach the Berth service: its socket is root's", "Run the container runtime as root");
			if (attempt == 2)
				break;
			ensure_service();
			continue;
		}
		if (exchange(fd, req.p, req.len) == 1) {
			close(fd);
			ensure_service(); /* an older build serves: replace it once idle */
		}
	}
	fail("the Berth service could not be reached", "See service.log in Berth's run dir");
	return 1;
}
