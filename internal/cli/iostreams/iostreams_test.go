package iostreams

import "testing"

func TestSanitize(t *testing.T) {
	cases := map[string]string{
		"plain text":                       "plain text",
		"tab\tand\nnewline":                "tab\tand\nnewline",
		"\x1b[31mred\x1b[0m":               "red",
		"title\x1b]0;pwned\x07 after":      "title after",
		"osc st\x1b]8;;http://x\x1b\\link": "osc stlink",
		"bell\x07 nul\x00 del\x7f":         "bell^G nul^@ del^?",
		"c1 csi \u009b31m":                 `c1 csi \u009b31m`,
		"bad utf8 \xff\xfe":                `bad utf8 \xff\xfe`,
		"unicode ✓ ok":                     "unicode ✓ ok",
		"trailing esc \x1b":                "trailing esc ",
		"charset \x1b(B done":              "charset  done",
		"cursor save\x1b7x":                "cursor savex",
		"unterminated \x1b[12":             "unterminated ",
	}
	for in, want := range cases {
		if got := Sanitize(in); got != want {
			t.Errorf("Sanitize(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestColorDecision(t *testing.T) {
	cases := []struct {
		tty, noColor, force bool
		mode                string
		want                bool
	}{
		{tty: true, mode: "auto", want: true},
		{tty: false, mode: "auto", want: false},
		{tty: true, noColor: true, mode: "auto", want: false},
		{tty: false, force: true, mode: "auto", want: true},
		{tty: false, noColor: true, mode: "always", want: true},
		{tty: true, mode: "never", want: false},
	}
	for _, c := range cases {
		ios, _, _, _ := Test()
		ios.SetStdoutTTY(c.tty)
		ios.SetNoColorEnv(c.noColor)
		ios.forceColorEnv = c.force
		if err := ios.SetColorMode(c.mode); err != nil {
			t.Fatal(err)
		}
		if got := ios.ColorEnabled(); got != c.want {
			t.Errorf("%+v: ColorEnabled = %v", c, got)
		}
		if got := ios.ColorScheme().Green("x") != "x"; got != c.want {
			t.Errorf("%+v: painted = %v", c, got)
		}
	}
	ios, _, _, _ := Test()
	if err := ios.SetColorMode("sometimes"); err == nil {
		t.Error("bad mode accepted")
	}
}
