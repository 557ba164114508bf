/** A small, valid stored report (`reports/{day}`) for email and payload tests; `over` replaces top-level fields. */
import type { CurrencyFigures, Report } from '../../shared/schemas/report.ts';

export function figures(over: Partial<CurrencyFigures> = {}): CurrencyFigures {
  return {
    orders: 0,
    gross: 0,
    subtotal: 0,
    discount: 0,
    tax: 0,
    shipping: 0,
    units: 0,
    averageOrderValue: 0,
    cancelledOrders: 0,
    cancelledValue: 0,
    topByRevenue: [],
    topByUnits: [],
    ...over,
  };
}

export function aReport(over: Partial<Report> = {}): Report {
  return {
    day: '2026-11-23',
    timeZone: 'UTC',
    from: '2026-11-23T00:00:00.000Z',
    to: '2026-11-24T00:00:00.000Z',
    hours: 24,
    generatedAt: '2026-11-24T03:00:00.000Z',
    orderCount: 6,
    currencies: {
      JPY: figures({
        orders: 3,
        gross: 123456,
        subtotal: 112000,
        tax: 11456,
        shipping: 0,
        units: 5,
        averageOrderValue: 41152,
        cancelledOrders: 1,
        cancelledValue: 5000,
        topByRevenue: [
          { sku: 'TEA-1', name: 'Sencha', units: 4, revenue: 100000 },
          { sku: 'CUP-2', name: 'Cup', units: 1, revenue: 12000 },
        ],
        topByUnits: [
          { sku: 'TEA-1', name: 'Sencha', units: 4, revenue: 100000 },
          { sku: 'CUP-2', name: 'Cup', units: 1, revenue: 12000 },
        ],
      }),
      EUR: figures({
        orders: 2,
        gross: 2468,
        subtotal: 2000,
        discount: 100,
        tax: 380,
        shipping: 188,
        units: 2,
        averageOrderValue: 1234,
        topByRevenue: [{ sku: 'MUG-1', name: 'Mug', units: 2, revenue: 2000 }],
        topByUnits: [{ sku: 'MUG-1', name: 'Mug', units: 2, revenue: 2000 }],
      }),
    },
    ordersByHour: Array.from({ length: 24 }, (_, h) => ({
      start: `2026-11-23T${String(h).padStart(2, '0')}:00:00+00:00`,
      orders: h === 9 ? 4 : h === 20 ? 2 : 0,
    })),
    ...over,
  };
}
