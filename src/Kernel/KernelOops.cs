namespace Kernel;

/// <summary>
/// A model of an oops: the modelled kernel did something that crashes or corrupts memory
/// (a NULL dereference, a use after free). Thrown by the model at the faulty access, so that a
/// harness can report where it happened instead of running on with corrupt state.
/// </summary>
public sealed class KernelOops(string message) : Exception(message);
