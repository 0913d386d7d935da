package cli

import (
	"context"
	"fmt"

	"github.com/spf13/cobra"

	"github.com/spgo/spgo/pkg/flood/bench"
	"github.com/spgo/spgo/pkg/flood/report"
)

// Output format of flood compare's -o for a pull-request comment.
const OutputMarkdown = "markdown"

// FloodCompareOptions are spgo flood compare's flags and arguments.
type FloodCompareOptions struct {
	Factory          *Factory
	Old, New         string
	Output           string
	FailOnRegression float64
	gateOn           bool
}

const floodCompareLong = `Compares two sets of flood runs, written by spgo flood -o json or -o gobench
(best with --repeat 6 or more), as benchstat does: per point and unit, the
old and new median ± its 95% confidence interval, the change of the medians,
and the p-value of the Mann-Whitney U test. A change that is not significant
(p >= 0.05) is shown as "~"; with too few runs to tell, a note says how many
are needed. Configuration lines that differ (another daemon, window or spgo
version) are named, so that unlike runs are never compared silently.

--fail-on-regression PCT is the CI gate: exit 8 when msgs/s falls, or a
latency percentile (one-way or round trip) rises, by more than PCT percent
and the change is significant.`

const floodCompareExample = `  spgo flood --embedded --services agreed --repeat 10 -o gobench > old.txt
  spgo flood --embedded --services agreed --repeat 10 -o gobench > new.txt
  spgo flood compare old.txt new.txt --fail-on-regression 5
  spgo flood compare old.json new.json -o markdown >> comment.md`

// newCmdFloodCompare builds spgo flood compare.
func newCmdFloodCompare(f *Factory) *cobra.Command {
	return NewCmdFloodCompare(f, nil)
}

// NewCmdFloodCompare builds spgo flood compare; runF replaces
// floodCompareRun in tests.
func NewCmdFloodCompare(f *Factory, runF func(context.Context, *FloodCompareOptions) error) *cobra.Command {
	opts := &FloodCompareOptions{Factory: f}
	cmd := &cobra.Command{
		Use:     "compare OLD NEW",
		Short:   "Compare two sets of flood runs and gate on a significant regression",
		Long:    floodCompareLong,
		Example: floodCompareExample,
		Args: func(cmd *cobra.Command, args []string) error {
			if len(args) != 2 {
				return usageErrorf("flood compare: name two files, OLD and NEW (written by spgo flood -o json or -o gobench); got %d", len(args))
			}
			return nil
		},
		RunE: func(cmd *cobra.Command, args []string) error {
			opts.Old, opts.New = args[0], args[1]
			opts.gateOn = cmd.Flags().Changed("fail-on-regression")
			if opts.FailOnRegression < 0 {
				return usageErrorf("--fail-on-regression %g: want a percentage of 0 or more", opts.FailOnRegression)
			}
			if runF != nil {
				return runF(cmd.Context(), opts)
			}
			return floodCompareRun(opts)
		},
	}
	cmd.Flags().VarP(newEnumValue(&opts.Output, OutputText, OutputText, OutputJSON, OutputMarkdown), "output", "o",
		"output format: text, json (one JSON object) or markdown (for a pull-request comment)")
	_ = cmd.RegisterFlagCompletionFunc("output", cobra.FixedCompletions(
		[]string{OutputText, OutputJSON, OutputMarkdown}, cobra.ShellCompDirectiveNoFileComp))
	cmd.Flags().Float64Var(&opts.FailOnRegression, "fail-on-regression", 0,
		fmt.Sprintf("exit %d when msgs/s falls or a latency percentile rises by more than `PCT`%% and significantly", ExitRegression))
	return cmd
}

// floodCompareRun reads both files, writes the comparison and applies the
// gate.
func floodCompareRun(o *FloodCompareOptions) error {
	old, err := readBenchFile(o.Old)
	if err != nil {
		return invalidValue(fmt.Errorf("flood compare: OLD: %w", err))
	}
	cur, err := readBenchFile(o.New)
	if err != nil {
		return invalidValue(fmt.Errorf("flood compare: NEW: %w", err))
	}
	cmp := bench.Compare(old, cur)
	out := o.Factory.IOStreams.Out
	switch o.Output {
	case OutputJSON:
		if err := report.CompareJSON(out, cmp); err != nil {
			return err
		}
	case OutputMarkdown:
		report.CompareMarkdown(out, cmp)
	default:
		report.CompareText(out, cmp)
	}
	if !o.gateOn {
		return nil
	}
	return regressed(cmp.Gate(o.FailOnRegression))
}
