using System.Diagnostics;

namespace AlchemyTypes.FunctionalTests.Files.Model;

/// <summary>
/// Shrinks a failing sequence further than CsCheck's sampling does in a short budget: cuts what follows the failing step,
/// then removes chunks and single steps (halves, quarters, … ones) while the same invariant still fails, then tries
/// without pooling. Every candidate is run for real, so the result is a sequence that fails, not a guess.
/// </summary>
public static class ModelShrinker
{
    private static async Task RunAsyncIgnoringViolation(this ModelRunner runner, ModelSequence sequence)
    {
        try
        {
            await runner.RunAsync(sequence);
        }
        catch (ModelViolationException)
        {
            // only the transcript is wanted
        }
    }

    public static async Task<(ModelSequence Sequence, ModelViolationException Violation)> ShrinkAsync(
        ModelRunner runner, ModelSequence sequence, ModelViolationException violation, TimeSpan budget)
    {
        ArgumentNullException.ThrowIfNull(runner);
        ArgumentNullException.ThrowIfNull(sequence);
        ArgumentNullException.ThrowIfNull(violation);
        var clock = Stopwatch.StartNew();
        var best = sequence;
        var bestViolation = violation;

        async Task<bool> TryAsync(ModelSequence candidate)
        {
            if (clock.Elapsed > budget || candidate.Steps.Length == 0)
            {
                return false;
            }

            try
            {
                await runner.RunAsync(candidate);
                return false;
            }
            catch (ModelViolationException v) when (v.Invariant == bestViolation.Invariant)
            {
                best = candidate;
                bestViolation = v;
                return true;
            }
            catch (ModelViolationException)
            {
                return false;
            }
        }

        if (bestViolation.Step < best.Steps.Length)
        {
            await TryAsync(best with { Steps = best.Steps[..bestViolation.Step] });
        }

        // Steps that found nothing to act on are usually noise: try without all of them at once.
        await runner.RunAsyncIgnoringViolation(best);
        var skipped = runner.SkippedSteps.ToHashSet();
        if (skipped.Count > 0)
        {
            await TryAsync(best with { Steps = best.Steps.Where((_, i) => !skipped.Contains(i + 1)).ToArray() });
        }

        for (var chunk = Math.Max(1, best.Steps.Length / 2); chunk >= 1 && clock.Elapsed < budget; chunk /= 2)
        {
            var progress = true;
            while (progress && clock.Elapsed < budget)
            {
                progress = false;
                for (var start = best.Steps.Length - chunk; start >= 0 && clock.Elapsed < budget; start -= chunk)
                {
                    var steps = best.Steps.Take(start).Concat(best.Steps.Skip(start + chunk)).ToArray();
                    if (await TryAsync(best with { Steps = steps }))
                    {
                        progress = true;
                        start = Math.Min(start, best.Steps.Length);
                    }
                }
            }
        }

        if (best.Pooled)
        {
            await TryAsync(best with { Pooled = false });
        }

        return (best, bestViolation);
    }
}
