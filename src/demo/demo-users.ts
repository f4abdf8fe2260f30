/**
 * The demo's legacy users. Hashes were made once with the real implementations (@node-rs/bcrypt, @node-rs/argon2,
 * node:crypto pbkdf2, glibc crypt(3) for sha-crypt) and are kept verbatim, so the demo starts instantly and the
 * same every time. These passwords are public demo data: the console prints them on purpose.
 */
export interface DemoUser {
  id: string;
  email: string;
  displayName: string;
  givenName: string;
  surname: string;
  password: string;
  passwordHash: string;
  status: 'active' | 'locked';
  /** What signing in with `password` should do, for the console table and the end-to-end test. */
  expected: 'MigratePassword' | 'UpdatePassword' | 'Block';
  format: string;
}

export const DEMO_USERS: readonly DemoUser[] = [
  {
    id: '1001', email: 'ada@contoso.example', displayName: 'Ada Lovelace', givenName: 'Ada', surname: 'Lovelace',
    password: 'Maple-Syrup-2019', format: 'bcrypt $2b$ cost 10', status: 'active', expected: 'MigratePassword',
    passwordHash: '$2b$10$vIkXe1A8qa5eBTVLoONAXeXeYU8SDnGHh.wJj.6.mNOVrEWDJ.bZu',
  },
  {
    id: '1002', email: 'grace@contoso.example', displayName: 'Grace Hopper', givenName: 'Grace', surname: 'Hopper',
    password: 'Blue.Whale.Song9', format: 'bcrypt $2y$ (PHP) cost 10', status: 'active', expected: 'MigratePassword',
    passwordHash: '$2y$10$VQ7LLCB4ndtCoqQJqo/b2.2XjGytYQunot5D58OIGVVa2jpxv5f2e',
  },
  {
    id: '1003', email: 'alan@contoso.example', displayName: 'Alan Turing', givenName: 'Alan', surname: 'Turing',
    password: 'Quiet-River-88', format: 'bcrypt $2a$ cost 10', status: 'active', expected: 'MigratePassword',
    passwordHash: '$2a$10$lvz3K3uCWsYv9w7MMDPvNORl2Ybis811ZVEBsLFRuu5.qZMdI0NMy',
  },
  {
    id: '1004', email: 'katherine@contoso.example', displayName: 'Katherine Johnson', givenName: 'Katherine', surname: 'Johnson',
    password: 'Copper-Kettle-55', format: 'argon2id m=19456 t=2 p=1', status: 'active', expected: 'MigratePassword',
    passwordHash: '$argon2id$v=19$m=19456,t=2,p=1$UxAK6cr9fwsUY0yB8u3K3A$1HPFdxv3U4+6D8UTqUUXlZt53mOBk0FdoiatVjoa4Mg',
  },
  {
    id: '1005', email: 'edsger@contoso.example', displayName: 'Edsger Dijkstra', givenName: 'Edsger', surname: 'Dijkstra',
    password: 'Silver-Fern-12', format: 'argon2i m=19456 t=2 p=1', status: 'active', expected: 'MigratePassword',
    passwordHash: '$argon2i$v=19$m=19456,t=2,p=1$YbCRuScZ53SHK12SO8PJwg$cR54kX67+TM9t1ZjLACzBL1owmK5/sw+y6RxOb+DVJo',
  },
  {
    id: '1006', email: 'barbara@contoso.example', displayName: 'Barbara Liskov', givenName: 'Barbara', surname: 'Liskov',
    password: 'Garden-Gnome-64', format: 'Django pbkdf2_sha256 600000', status: 'active', expected: 'MigratePassword',
    passwordHash: 'pbkdf2_sha256$600000$DemoDjangoSalt2024$m9DVd1JrKSWXwehUb4px8ej0QuP6J0oeW5vM2yFWEEA=',
  },
  {
    id: '1007', email: 'donald@contoso.example', displayName: 'Donald Knuth', givenName: 'Donald', surname: 'Knuth',
    password: 'Night-Train-19', format: 'passlib $pbkdf2-sha256$ 29000', status: 'active', expected: 'MigratePassword',
    passwordHash: '$pbkdf2-sha256$29000$7Z1fP9uojfe4FFAVeZF8fA$p7n6ZtMO27jMaV6wHBqGMbaiyX4ixXxaJmRuiYKWmHM',
  },
  {
    id: '1008', email: 'margaret@contoso.example', displayName: 'Margaret Hamilton', givenName: 'Margaret', surname: 'Hamilton',
    password: 'Sunset-Boulevard-77', format: 'sha512-crypt rounds=5000', status: 'active', expected: 'MigratePassword',
    passwordHash: '$6$rounds=5000$Zq2pV0xDemoSalt1$TW7BlCBtrZlJPonrQqK8lChZAYcFQjQpyAH5/vtwDx3nNnjndOgylpgB.xgMY82BoDEib5o1D810LOwytol/e1',
  },
  {
    id: '1009', email: 'linus@contoso.example', displayName: 'Linus Torvalds', givenName: 'Linus', surname: 'Torvalds',
    password: 'Paper-Lantern-42', format: 'sha512-crypt (default rounds)', status: 'active', expected: 'MigratePassword',
    passwordHash: '$6$DemoSaltNoRounds$JSHS6XwTeVaYMEKfAbGsMkIGg1AW7Jo6juiqOq/9ms3v2bp7fu377ndgzm2oybBPBz.NruOkYJKZzmAP7n2x01',
  },
  {
    id: '1010', email: 'radia@contoso.example', displayName: 'Radia Perlman', givenName: 'Radia', surname: 'Perlman',
    password: 'Orchid+Harbor-31', format: 'sha256-crypt rounds=10000', status: 'active', expected: 'MigratePassword',
    passwordHash: '$5$rounds=10000$DemoSalt5Rnd$pycAtql2xhQJhe5e0GXcn/0GvoTAzOdXcCt3SZneHnC',
  },
  {
    id: '1011', email: 'tim@contoso.example', displayName: 'Tim Weakpass', givenName: 'Tim', surname: 'Weakpass',
    password: 'password1', format: 'bcrypt $2b$ cost 10 — weak password', status: 'active', expected: 'UpdatePassword',
    passwordHash: '$2b$10$8cc.0m6X3AvrVJKTpG9YvOH.l4uVRcp2GagQ.hHHvpBa3jR0AZ1dq',
  },
  {
    id: '1012', email: 'mallory@contoso.example', displayName: 'Mallory Locked', givenName: 'Mallory', surname: 'Locked',
    password: 'Locked-Door-33', format: 'bcrypt $2b$ cost 10 — locked', status: 'locked', expected: 'Block',
    passwordHash: '$2b$10$tirT/0G9lJHefYc6Ovv9ueBp3RT4v3RSpXnvZheCs4SlVl1StkG8m',
  },
  {
    id: '1013', email: 'jurgen@contoso.example', displayName: 'Jürgen Unicode', givenName: 'Jürgen', surname: 'Unicode',
    password: 'Grüße-aus-Köln-7', format: 'bcrypt $2b$ cost 10 — non-ASCII password', status: 'active', expected: 'UpdatePassword',
    passwordHash: '$2b$10$87iPW9BZewi51SrK8ZNFnOC1d5CkiIC0H6Qh0bf5hrQ3vQDjV1EcW',
  },
];

/**
 * Legacy accounts created after the bulk run: in the legacy store, not yet in Entra, so their owners reach Entra's
 * sign-up rather than its sign-in — a sign-up collision (SIGNUP_COLLISION). The hash is kept verbatim like the others.
 */
export const DEMO_LATE_USERS: readonly DemoUser[] = [
  {
    id: '1014', email: 'hedy@contoso.example', displayName: 'Hedy Lamarr', givenName: 'Hedy', surname: 'Lamarr',
    password: 'Radio-Waves-1942', format: 'bcrypt $2b$ cost 10 — not yet in Entra', status: 'active', expected: 'MigratePassword',
    passwordHash: '$2b$10$86CkgfqXmKb5/qWBEH2SWutFDPMGZof272OPSW56EQaETN2ElP0Tu',
  },
];
