/**
 * The daily sales report stored at `reports/{YYYY-MM-DD}`: a contract that the console, scripts and the report
 * email read. Field names and meanings are fixed (see docs/daily-reports.md); all money is integer
 * minor units of its currency.
 */
import { z } from 'zod';
import { Currency, Money, Timestamp } from './money.ts';

const Count = z.number().int().nonnegative();

/** One product in a top list: `revenue` = Σ quantity × unitPrice over that sku's lines. */
export const ReportProduct = z.object({
  sku: z.string().min(1),
  /** The line name of that sku (the lexicographically smallest when lines disagree). */
  name: z.string(),
  units: Count,
  revenue: Money,
});
export type ReportProduct = z.infer<typeof ReportProduct>;

/** The figures of one currency. Sums are over orders not cancelled unless named `cancelled…`. */
export const CurrencyFigures = z.object({
  orders: Count,
  gross: Money,
  subtotal: Money,
  discount: Money,
  tax: Money,
  shipping: Money,
  units: Count,
  /** `Math.round(gross / orders)`; 0 when `orders` is 0. */
  averageOrderValue: Money,
  cancelledOrders: Count,
  cancelledValue: Money,
  /** Top 10 by revenue; ties by sku ascending. */
  topByRevenue: z.array(ReportProduct).max(10),
  /** Top 10 by units; ties by sku ascending. */
  topByUnits: z.array(ReportProduct).max(10),
});
export type CurrencyFigures = z.infer<typeof CurrencyFigures>;

/** `reports/{day}`. */
export const Report = z.object({
  /** The store-day, `YYYY-MM-DD`. */
  day: z.iso.date(),
  /** The store's IANA time zone. */
  timeZone: z.string().min(1),
  /** RFC 3339 UTC instants bounding the store-day: [from, to). */
  from: Timestamp,
  to: Timestamp,
  /** 23, 24 or 25 (daylight-saving change days). */
  hours: z.number().int().min(23).max(25),
  generatedAt: Timestamp,
  /** Orders created that day, cancelled ones included. */
  orderCount: Count,
  /** ISO 4217 code → figures; a currency appears when it has at least one order that day. */
  currencies: z.record(Currency, CurrencyFigures),
  /** One entry per hour of the store-day; `start` is RFC 3339 with the store's offset; cancelled included. */
  ordersByHour: z
    .array(z.object({ start: Timestamp, orders: Count }))
    .min(23)
    .max(25),
});
export type Report = z.infer<typeof Report>;
