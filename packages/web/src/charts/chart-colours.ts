/** The colours of the chart's marks, shared by the (lazily loaded) chart and its legend. */
export const GAP_FILL = 'rgba(110, 110, 110, 0.22)';
export const ALARM_FILL = 'rgba(200, 30, 30, 0.16)';
export const LIMIT_STROKE = '#a35200';
