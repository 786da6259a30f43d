namespace Search.Optimization.Trials;

public enum ParamValueKind
{
    Real,
    Integer,
    Text,
    Vector,
}
