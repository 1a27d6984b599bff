using AlchemyTypes.Benchmarks.Reporting;
using BenchmarkDotNet.Running;

// `--summary <out dir> <MemoryProbe dll>`: the fixed set behind README's Performance table (./build.sh bench);
// anything else goes to BenchmarkDotNet's switcher (./build.sh bench '<filter>').
if (args.Length > 0 && args[0] == "--summary")
{
    return BenchSummary.Run(args[1..]);
}

BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
return 0;
