package cli

import (
	"go/ast"
	"go/parser"
	"go/token"
	"strconv"
	"strings"
	"testing"
)

// Every Exit* constant has its line in --help's table, once, so a new code
// cannot go undocumented.
func TestEveryExitCodeIsDocumented(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "exitcode.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	declared := map[int]string{}
	ast.Inspect(f, func(n ast.Node) bool {
		if vs, ok := n.(*ast.ValueSpec); ok && len(vs.Names) == 1 && strings.HasPrefix(vs.Names[0].Name, "Exit") {
			if lit, ok := vs.Values[0].(*ast.BasicLit); ok {
				code, _ := strconv.Atoi(lit.Value)
				declared[code] = vs.Names[0].Name
			}
		}
		return true
	})
	if len(declared) < 9 {
		t.Fatalf("found %d exit codes in exitcode.go: %v", len(declared), declared)
	}
	documented := map[int]int{}
	for _, e := range exitCodeMeanings {
		documented[e.code]++
		if _, ok := declared[e.code]; !ok {
			t.Errorf("--help documents exit code %d, which no Exit constant declares", e.code)
		}
	}
	for code, name := range declared {
		if documented[code] != 1 {
			t.Errorf("%s (%d) is documented %d times in exitCodeMeanings, want once", name, code, documented[code])
		}
	}
	help := exitCodesHelp()
	for _, line := range strings.Split(help, "\n") {
		if len(line) > helpWidth {
			t.Errorf("exit code line over %d columns: %s", helpWidth, line)
		}
	}
}
