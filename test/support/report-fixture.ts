/** A daily report as aggregate-orders stores it (shared/schemas/report.ts), for tests that show reports. */
import { Report } from '../../shared/schemas/report.ts';

/** A valid `reports/{day}` in two currencies, for the console's Reports view. */
export function sampleReport(): Report {
  const hours = Array.from({ length: 24 }, (_, h) => ({
    start: `2026-11-23T${String(h).padStart(2, '0')}:00:00+01:00`,
    orders: [0, 0, 0, 0, 0, 0, 0, 1, 3, 5, 8, 6, 4, 7, 9, 6, 5, 4, 6, 8, 5, 3, 1, 0][h]!,
  }));
  const top = [
    { sku: 'MUG-1', name: 'Mug', units: 120, revenue: 150000 },
    { sku: 'TEE-M', name: 'T-shirt', units: 40, revenue: 79960 },
  ];
  const figures = {
    orders: 81,
    gross: 433269,
    subtotal: 364419,
    discount: 40500,
    tax: 69255,
    shipping: 40095,
    units: 160,
    averageOrderValue: 5349,
    cancelledOrders: 3,
    cancelledValue: 16047,
    topByRevenue: top,
    topByUnits: top,
  };
  return Report.parse({
    day: '2026-11-23',
    timeZone: 'Europe/Berlin',
    from: '2026-11-22T23:00:00Z',
    to: '2026-11-23T23:00:00Z',
    hours: 24,
    generatedAt: '2026-11-24T02:00:05Z',
    orderCount: 90,
    ordersByHour: hours,
    currencies: {
      EUR: figures,
      JPY: {
        ...figures,
        orders: 9,
        gross: 48600,
        subtotal: 45000,
        discount: 0,
        tax: 3600,
        shipping: 0,
        averageOrderValue: 5400,
        cancelledOrders: 0,
        cancelledValue: 0,
      },
    },
  });
}
