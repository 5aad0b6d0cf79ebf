export * from './canonical-json';
export * from './base64url';
export * from './hex';
export * from './ed25519';
export * from './receipt';
