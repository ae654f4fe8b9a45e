using NUnit.Framework;

// Every test has its own sandbox (runtime dir, instance name, processes tracked by pid), so fixtures may run
// side by side: two at a time keeps the suite inside its time budget on a 2-core machine.
[assembly: Parallelizable(ParallelScope.Fixtures)]
[assembly: LevelOfParallelism(2)]
