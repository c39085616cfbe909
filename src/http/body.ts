// Request bodies: JSON only. A state-changing request with another content type is refused, so a
// form on some web page cannot send it.
import express, { type NextFunction, type Request, type Response } from 'express';
import { ApiError } from './errors';

/** A body is required and must be application/json. */
export const requireJson = (req: Request, _res: Response, next: NextFunction) => {
  if (!req.is('application/json')) return next(new ApiError('UNSUPPORTED_MEDIA_TYPE'));
  next();
};

/** A body is optional; if there is one, it must be application/json. */
export const jsonIfAny = (req: Request, _res: Response, next: NextFunction) => {
  if (req.headers['content-type'] !== undefined && !req.is('application/json')) return next(new ApiError('UNSUPPORTED_MEDIA_TYPE'));
  next();
};

/** Parses a JSON body of at most `limit` bytes (any JSON value; the route's schema says which). */
export const parseJsonBody = (limit: number) => express.json({ limit, strict: false });
