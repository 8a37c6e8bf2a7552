package mongotest

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"os/exec"
	"path/filepath"
	"strings"
	"time"
)

// Server is a mongo-java-server process launched by Launch, for benchmarks that need to size
// its heap and watch its memory (tests use URI, which shares one server per test binary).
type Server struct {
	// URI connects to it.
	URI string
	// Pid is the JVM's process id, to read its peak memory from /proc.
	Pid   int
	cmd   *exec.Cmd
	stdin io.WriteCloser
}

// Launch starts a mongo-java-server of its own (in-memory backend) with extra JVM options,
// e.g. "-Xmx4g". Stop ends it.
func Launch(jvmArgs ...string) (*Server, error) {
	dir := sourceDir()
	cp, err := classpath(dir)
	if err != nil {
		return nil, err
	}
	java, err := exec.LookPath("java")
	if err != nil {
		return nil, errors.New("java is not installed (mongo-java-server needs Java 17+)")
	}
	args := append([]string{"-Xss4m"}, jvmArgs...)
	args = append(args, "-cp", cp, filepath.Join(dir, "Launcher.java"))
	cmd := exec.Command(java, args...)
	stdin, err := cmd.StdinPipe()
	if err != nil {
		return nil, err
	}
	stdout, err := cmd.StdoutPipe()
	if err != nil {
		return nil, err
	}
	var stderr strings.Builder
	cmd.Stderr = &stderr
	if err := cmd.Start(); err != nil {
		return nil, fmt.Errorf("start mongo-java-server: %w", err)
	}
	addr := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(stdout)
		for sc.Scan() {
			if a, ok := strings.CutPrefix(sc.Text(), "listening "); ok {
				addr <- a
			}
		}
		close(addr)
	}()
	select {
	case a, ok := <-addr:
		if !ok {
			_ = cmd.Wait()
			return nil, fmt.Errorf("mongo-java-server exited before listening: %s", stderr.String())
		}
		return &Server{URI: "mongodb://" + a + "/?directConnection=true", Pid: cmd.Process.Pid, cmd: cmd, stdin: stdin}, nil
	case <-time.After(60 * time.Second):
		_ = cmd.Process.Kill()
		return nil, fmt.Errorf("mongo-java-server did not start within 60s: %s", stderr.String())
	}
}

// Stop closes the server's standard input, which makes it exit, and waits for it.
func (s *Server) Stop() error {
	_ = s.stdin.Close()
	done := make(chan error, 1)
	go func() { done <- s.cmd.Wait() }()
	select {
	case err := <-done:
		return err
	case <-time.After(10 * time.Second):
		_ = s.cmd.Process.Kill()
		return <-done
	}
}
