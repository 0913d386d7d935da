package spread

import (
	"go/ast"
	"go/doc"
	"go/parser"
	"go/token"
	"path/filepath"
	"strings"
	"testing"
)

// The names people search for, from libspread and the Python module, are
// where go doc shows them: the package documentation, and each constant's
// own comment.
func TestDocCarriesLibspreadAndPythonNames(t *testing.T) {
	fset := token.NewFileSet()
	names, err := filepath.Glob("*.go")
	if err != nil {
		t.Fatal(err)
	}
	var list []*ast.File
	for _, name := range names {
		if strings.HasSuffix(name, "_test.go") {
			continue
		}
		f, err := parser.ParseFile(fset, name, nil, parser.ParseComments)
		if err != nil {
			t.Fatal(err)
		}
		list = append(list, f)
	}
	p, err := doc.NewFromFiles(fset, list, "github.com/spgo/spgo/pkg/spread")
	if err != nil {
		t.Fatal(err)
	}
	for _, name := range []string{"DEFAULT_SPREAD_PORT", "MAX_GROUP_NAME", "fileno()", "extra", "reason", "DEFAULT_BUFFER_SIZE"} {
		if !strings.Contains(p.Doc, name) {
			t.Errorf("package documentation does not name %s", name)
		}
	}
	want := map[string]string{"DefaultSpreadPort": "DEFAULT_SPREAD_PORT", "MaxGroupName": "MAX_GROUP_NAME",
		"MaxPrivateName": "MAX_PRIVATE_NAME", "MaxProcName": "MAX_PROC_NAME"}
	for _, c := range p.Consts {
		for _, spec := range c.Decl.Specs {
			vs := spec.(*ast.ValueSpec)
			for _, id := range vs.Names {
				if cname, ok := want[id.Name]; ok {
					if !strings.Contains(vs.Doc.Text()+vs.Comment.Text(), cname) {
						t.Errorf("%s's comment does not name %s", id.Name, cname)
					}
					delete(want, id.Name)
				}
			}
		}
	}
	if len(want) > 0 {
		t.Errorf("constants not found: %v", want)
	}
}
