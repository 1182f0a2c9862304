import * as initial from './0001-initial.ts';
import * as reservationsByTime from './0002-reservations-by-time.ts';
import * as reservationDelivery from './0003-reservation-delivery.ts';

/** Every migration of the auth database, by name; names sort in the order they apply. */
export const authMigrations = {
  '0001-initial': initial,
  '0002-reservations-by-time': reservationsByTime,
  '0003-reservation-delivery': reservationDelivery,
};
