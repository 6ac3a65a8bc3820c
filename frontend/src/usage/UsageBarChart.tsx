/**
 * A bar chart of one figure per day (tokens or estimated cost), drawn as SVG. Screen readers
 * get the chart's name and, for each bar, its day and value (also the bars' tooltips).
 */
import { Box, Typography, useTheme } from "@mui/material";

export interface Bar {
  key: string;
  label: string;
  value: number;
}

const HEIGHT = 160;
const GAP = 2;

export function UsageBarChart({
  title,
  bars,
  format,
}: {
  title: string;
  bars: readonly Bar[];
  format: (value: number) => string;
}) {
  const theme = useTheme();
  const max = Math.max(0, ...bars.map((b) => b.value));
  const width = Math.max(bars.length * 12, 120);
  const barWidth = bars.length ? width / bars.length - GAP : 0;
  return (
    <Box component="figure" sx={{ m: 0 }}>
      <Typography component="figcaption" variant="subtitle2" sx={{ mb: 1 }}>
        {title} {max > 0 ? `(highest: ${format(max)})` : "(none in this range)"}
      </Typography>
      <svg
        role="img"
        aria-label={title}
        viewBox={`0 0 ${width} ${HEIGHT}`}
        preserveAspectRatio="none"
        width="100%"
        height={HEIGHT}
      >
        <line x1={0} y1={HEIGHT - 0.5} x2={width} y2={HEIGHT - 0.5} stroke={theme.palette.divider} />
        {bars.map((bar, index) => {
          const height = max > 0 ? Math.max((bar.value / max) * (HEIGHT - 4), bar.value > 0 ? 1 : 0) : 0;
          return (
            <rect
              key={bar.key}
              role="presentation"
              data-testid={`bar-${bar.key}`}
              x={index * (barWidth + GAP)}
              y={HEIGHT - height}
              width={barWidth}
              height={height}
              fill={theme.palette.primary.main}
            >
              <title>{`${bar.label}: ${format(bar.value)}`}</title>
            </rect>
          );
        })}
      </svg>
      <Box component="ul" sx={visuallyHidden}>
        {bars.map((bar) => (
          <li key={bar.key}>{`${bar.label}: ${format(bar.value)}`}</li>
        ))}
      </Box>
    </Box>
  );
}

const visuallyHidden = {
  position: "absolute",
  width: 1,
  height: 1,
  overflow: "hidden",
  clip: "rect(0 0 0 0)",
  whiteSpace: "nowrap",
} as const;
