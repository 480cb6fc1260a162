using BenchmarkDotNet.Running;

// Micro-benchmarks of the hot kernels. End-to-end figures come from `datafirst bench`.
BenchmarkSwitcher.FromAssembly(typeof(Program).Assembly).Run(args);
