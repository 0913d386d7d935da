package iostreams

import "github.com/fatih/color"

// ColorScheme paints short strings. Each colour carries its own on/off
// decision taken from the streams, so nothing depends on fatih/color's
// global NoColor (which is computed from os.Stdout at start-up).
type ColorScheme struct {
	enabled bool
}

// ColorScheme returns the palette for stdout.
func (s *IOStreams) ColorScheme() *ColorScheme { return &ColorScheme{enabled: s.ColorEnabled()} }

// NoColorScheme returns a palette that paints nothing.
func NoColorScheme() *ColorScheme { return &ColorScheme{} }

// Enabled reports whether the scheme emits escape sequences.
func (cs *ColorScheme) Enabled() bool { return cs.enabled }

func (cs *ColorScheme) paint(text string, attrs ...color.Attribute) string {
	if !cs.enabled {
		return text
	}
	c := color.New(attrs...)
	c.EnableColor()
	return c.Sprint(text)
}

// Bold, Green, Yellow, Cyan, Red, Magenta and Gray colour one string.
func (cs *ColorScheme) Bold(s string) string    { return cs.paint(s, color.Bold) }
func (cs *ColorScheme) Green(s string) string   { return cs.paint(s, color.FgGreen) }
func (cs *ColorScheme) Yellow(s string) string  { return cs.paint(s, color.FgYellow) }
func (cs *ColorScheme) Cyan(s string) string    { return cs.paint(s, color.FgCyan) }
func (cs *ColorScheme) Red(s string) string     { return cs.paint(s, color.FgRed) }
func (cs *ColorScheme) Magenta(s string) string { return cs.paint(s, color.FgMagenta) }
func (cs *ColorScheme) Gray(s string) string    { return cs.paint(s, color.FgHiBlack) }
