package cli

import (
	"os/exec"
	"reflect"
	"strings"
	"testing"

	"github.com/dupes-tui/dupes/model"
)

// TestSuggestedCommandsAreShellSafe pastes suggested commands into a real shell, which prints
// the words it was given: each must come back as one word, and nothing may run. A field named
// `k;touch PWNED` once ran touch when explain-error's suggestion was pasted.
func TestSuggestedCommandsAreShellSafe(t *testing.T) {
	sh := need(t, "sh")
	ns := model.Namespace{DB: "shop", Coll: "users $(id)"}
	uri := "mongodb://ann:secret@h1,h2/?replicaSet=rs0&authSource=admin"
	for _, key := range []model.Key{
		{Fields: []string{"k;touch PWNED", "a b", "it's"}},
		{Fields: []string{"email"}, IgnoreCase: true, Trim: true, Filter: `{"status": "a$b` + "`x`" + `"}`,
			Collation: &model.Collation{Locale: "en", Strength: 2}},
		{WholeDocument: true, Ignore: []string{"updatedAt", "*x"}, AnyFieldOrder: true},
		{Index: "email_1 & more"},
	} {
		line := suggestCommand("resolve", uri, ns, key)
		if strings.Contains(line, "secret") {
			t.Fatalf("the password reached the suggestion: %s", line)
		}
		cmd := exec.Command(sh, "-c", `printf '%s\n' `+line)
		cmd.Dir = t.TempDir() // were a word to escape its quotes, what it ran would land here
		out, err := cmd.Output()
		if err != nil {
			t.Fatalf("sh -c %q: %v", line, err)
		}
		got := strings.Split(strings.TrimSuffix(string(out), "\n"), "\n")
		want := strings.Fields("dupes resolve --uri") // the rest is checked word by word below
		if !reflect.DeepEqual(got[:3], want) || got[3] != "mongodb://ann:****@h1,h2/?replicaSet=rs0&authSource=admin" ||
			got[4] != "--ns" || got[5] != ns.String() {
			t.Errorf("%s: the shell read %q", line, got)
		}
		if key.Fields != nil && got[7] != strings.Join(key.Fields, ",") {
			t.Errorf("%s: the key came back as %q", line, got[7])
		}
		if key.Filter != "" && got[len(got)-1] != key.Filter {
			t.Errorf("%s: the filter came back as %q", line, got[len(got)-1])
		}
	}
}
