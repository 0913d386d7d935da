package cli

import (
	"context"
	"fmt"
	"os"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/flood"
	"github.com/spgo/spgo/pkg/flood/bench"
	"github.com/spgo/spgo/pkg/flood/report"
)

// OutputGoBench is flood's -o gobench: Go's benchmark format.
const OutputGoBench = "gobench"

// FloodBenchOptions are spgo flood's flags for benchmarks CI can trust:
// repeated runs, and a comparison with a baseline that can fail the run.
type FloodBenchOptions struct {
	Repeat           int
	Baseline         string
	FailOnRegression float64

	baseline *bench.Set // read from Baseline by validate
	gateOn   bool       // --fail-on-regression was given
}

// addFloodOutputFlag registers flood's -o: text and json as elsewhere,
// and Go's benchmark format.
func addFloodOutputFlag(cmd *cobra.Command, p *string) {
	cmd.Flags().VarP(newEnumValue(p, OutputText, OutputText, OutputJSON, OutputGoBench), "output", "o",
		"output format: text, json (one JSON object) or gobench (Go's benchmark format, as benchstat reads it)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{OutputText, OutputJSON, OutputGoBench}, cobra.ShellCompDirectiveNoFileComp))
}

// addFloodBenchFlags registers --repeat, --baseline and
// --fail-on-regression.
func addFloodBenchFlags(cmd *cobra.Command, o *FloodBenchOptions) {
	fl := cmd.Flags()
	fl.IntVar(&o.Repeat, "repeat", 1, "run every point this many times, the service types round robin; figures are then median ± 95% CI")
	fl.StringVar(&o.Baseline, "baseline", "", "compare the runs with `FILE` (written by -o json or -o gobench), as spgo flood compare does")
	fl.Float64Var(&o.FailOnRegression, "fail-on-regression", 0,
		fmt.Sprintf("with --baseline: exit %d when msgs/s falls or a latency percentile rises by more than `PCT`%% and significantly", ExitRegression))
}

// validate checks the bench flags and reads the baseline, so that a bad
// file is refused before the flood runs.
func (o *FloodBenchOptions) validate(cmd *cobra.Command, fo *FloodOptions) error {
	switch {
	case o.Repeat < 1:
		return usageErrorf("--repeat %d: want 1 or more runs of each point", o.Repeat)
	case o.Repeat > 1 && fo.Agents > 0:
		return usageErrorf("--repeat runs the flood here; not with --agents")
	case o.Repeat > 1 && fo.Plot != "":
		return usageErrorf("--plot draws one run per point; not with --repeat")
	case cmd.Flags().Changed("fail-on-regression") && o.Baseline == "":
		return usageErrorf("--fail-on-regression needs --baseline (the runs to compare with)")
	case o.FailOnRegression < 0:
		return usageErrorf("--fail-on-regression %g: want a percentage of 0 or more", o.FailOnRegression)
	}
	o.gateOn = cmd.Flags().Changed("fail-on-regression")
	if o.Baseline == "" {
		return nil
	}
	set, err := readBenchFile(o.Baseline)
	if err != nil {
		return invalidValue(fmt.Errorf("--baseline: %w", err))
	}
	o.baseline = &set
	return nil
}

// readBenchFile reads runs written by spgo flood -o json or -o gobench.
func readBenchFile(path string) (bench.Set, error) {
	f, err := os.Open(path)
	if err != nil {
		return bench.Set{}, err
	}
	defer f.Close()
	return report.ReadSet(f, path)
}

// runRepeated runs every point --repeat times (flood.Repeat).
func runRepeated(ctx context.Context, o *FloodOptions, cfg flood.Config) ([]flood.Point, string, error) {
	var dim string
	var values []int
	if o.Sweep != "" {
		dim, values, _ = flood.ParseSweep(o.Sweep) // validate checked it
	}
	points, err := flood.Repeat(ctx, cfg, dim, values, o.Bench.Repeat, nil)
	return points, dim, err
}

// wantsBenchRender reports whether the results need renderBench: repeated
// runs, Go's format or a baseline to compare with.
func (o *FloodOptions) wantsBenchRender() bool {
	return o.Bench.Repeat > 1 || o.Output == OutputGoBench || o.Bench.baseline != nil
}

// renderBench writes repeated runs (the summary table, or JSON with every
// run and the summary), Go's benchmark format, and the comparison with
// --baseline; then the warnings and --csv. It returns the number of
// warnings, and the gate's error when --fail-on-regression is crossed.
func renderBench(o *FloodOptions, env report.Env, points []flood.Point, dim string) (int, error) {
	ios := o.Factory.IOStreams
	var cmp *bench.Comparison
	if o.Bench.baseline != nil {
		c := bench.Compare(*o.Bench.baseline, bench.Set{Config: report.GoConfig(env, points), Series: bench.Group(bench.Measurements(points))})
		cmp = &c
	}
	switch o.Output {
	case OutputGoBench:
		if err := report.GoBench(ios.Out, env, points); err != nil {
			return 0, err
		}
	case OutputJSON:
		doc := report.Document{Env: env, Sweep: o.Sweep, Points: points, Comparison: cmp}
		if o.Bench.Repeat > 1 {
			doc.Repeat, doc.Summary = o.Bench.Repeat, bench.SummariseAll(bench.Measurements(points))
		}
		if err := report.JSON(ios.Out, doc); err != nil {
			return 0, err
		}
	default:
		fmt.Fprintln(ios.Out)
		renderBenchTables(o, env, points, dim)
	}
	if cmp != nil && o.Output != OutputJSON {
		out := ios.Out
		if o.Output == OutputGoBench { // stdout stays Go's format alone
			out = ios.ErrOut
		}
		fmt.Fprintf(out, "\ncompared with %s:\n", o.Bench.Baseline)
		report.CompareText(out, *cmp)
	}
	nwarn := report.Warnings(ios.ErrOut, points)
	if o.CSV != "" {
		if err := report.SaveCSV(o.CSV, points); err != nil {
			return nwarn, fmt.Errorf("--csv: %w", err)
		}
	}
	return nwarn, gate(cmp, o.Bench)
}

// renderBenchTables writes the text tables: the summary of repeated runs,
// or a single run's tables.
func renderBenchTables(o *FloodOptions, env report.Env, points []flood.Point, dim string) {
	w := o.Factory.IOStreams.Out
	if o.Bench.Repeat > 1 {
		report.RepeatTable(w, points, dim)
	} else {
		report.Table(w, points, dim)
		report.DaemonTable(w, points, dim)
		report.AgentTable(w, env.Agents)
		report.RTTTable(w, points, dim)
	}
	report.Faults(w, points)
}

// gate is --fail-on-regression's verdict on the comparison: exit
// ExitRegression when it found a significant regression beyond the
// threshold.
func gate(cmp *bench.Comparison, o FloodBenchOptions) error {
	if cmp == nil || !o.gateOn {
		return nil
	}
	return regressed(cmp.Gate(o.FailOnRegression))
}
