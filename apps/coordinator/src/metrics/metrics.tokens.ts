export const METRICS = Symbol('CoordinatorMetrics');
