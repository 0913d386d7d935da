package cli

import (
	"errors"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

func TestDocsDate(t *testing.T) {
	commit := time.Date(2026, time.March, 5, 10, 0, 0, 0, time.UTC)
	git := func() (time.Time, error) { return commit, nil }
	noGit := func() (time.Time, error) { return time.Time{}, errors.New("not a git tree") }
	env := func(v string) func(string) string {
		return func(k string) string { return map[string]string{"SOURCE_DATE_EPOCH": v}[k] }
	}
	for _, c := range []struct {
		epoch string
		git   func() (time.Time, error)
		want  time.Time
	}{
		{"1700000000", git, time.Unix(1700000000, 0).UTC()},
		{"", git, commit},
		{"", noGit, docsFallbackDate},
	} {
		got, err := docsDate(env(c.epoch), c.git)
		if err != nil || !got.Equal(c.want) {
			t.Errorf("SOURCE_DATE_EPOCH=%q: %v %v, want %v", c.epoch, got, err, c.want)
		}
	}
	if _, err := docsDate(env("yesterday"), git); err == nil || ExitCode(invalidValue(err)) != ExitUsage {
		t.Errorf("a bad SOURCE_DATE_EPOCH: %v", err)
	}
}

// genDocs runs `spgo gen-docs` into a new directory with env as the
// environment and returns the directory.
func genDocs(t *testing.T, env map[string]string) string {
	t.Helper()
	f, _ := testFactory(t, nil)
	f.Getenv = func(k string) string { return env[k] }
	dir := t.TempDir()
	if code, _, stderr := execRoot(t, f, "gen-docs", "--dir", dir); code != 0 {
		t.Fatalf("gen-docs: exit %d: %s", code, stderr)
	}
	return dir
}

// readTree maps every file under dir to its contents.
func readTree(t *testing.T, dir string) map[string]string {
	t.Helper()
	files := map[string]string{}
	err := filepath.WalkDir(dir, func(path string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(path)
		rel, _ := filepath.Rel(dir, path)
		files[rel] = string(b)
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	return files
}

func diffTrees(t *testing.T, what string, got, want map[string]string) {
	t.Helper()
	for name, w := range want {
		if g, ok := got[name]; !ok {
			t.Errorf("%s: %s missing", what, name)
		} else if g != w {
			t.Errorf("%s: %s differs", what, name)
		}
	}
	for name := range got {
		if _, ok := want[name]; !ok {
			t.Errorf("%s: %s extra", what, name)
		}
	}
}

// The generated docs depend on the source only: the same tree twice,
// whoever runs it ($SPGO_SERVER) and whenever, with the man pages dated by
// SOURCE_DATE_EPOCH.
func TestGenDocsReproducible(t *testing.T) {
	epoch := strconv.FormatInt(time.Date(2026, time.February, 10, 0, 0, 0, 0, time.UTC).Unix(), 10)
	a := readTree(t, genDocs(t, map[string]string{"SOURCE_DATE_EPOCH": epoch}))
	b := readTree(t, genDocs(t, map[string]string{"SOURCE_DATE_EPOCH": epoch, EnvServer: "5555@elsewhere"}))
	diffTrees(t, "second run", b, a)
	if page := a[filepath.Join("man", "spgo-connect.1")]; !regexp.MustCompile(`(?m)^\.TH "SPGO" "1" "Feb 2026" `).MatchString(page) {
		t.Errorf("spgo-connect.1 is not dated by SOURCE_DATE_EPOCH:\n%.200s", page)
	}
}

var manDate = regexp.MustCompile(`(?m)^\.TH "SPGO" "1" "([A-Z][a-z]{2} \d{4})" `)

// docs/cli is what `make docs` makes from the current help texts: run it
// after changing a command's help.
func TestCommittedDocsAreCurrent(t *testing.T) {
	const committed = "../../docs/cli"
	want := readTree(t, committed)
	m := manDate.FindStringSubmatch(want[filepath.Join("man", "spgo.1")])
	if m == nil {
		t.Fatalf("%s/man/spgo.1 has no date line", committed)
	}
	date, err := time.Parse("Jan 2006", m[1])
	if err != nil {
		t.Fatal(err)
	}
	got := readTree(t, genDocs(t, map[string]string{"SOURCE_DATE_EPOCH": strconv.FormatInt(date.Unix(), 10)}))
	diffTrees(t, "docs/cli (run make docs)", got, want)
}
