import { Type } from 'typebox';
import { StringEnum, Text, Timestamp, Uuid } from '../../lib/http.js';
import { roles } from './tables.js';

export const RoleSchema = StringEnum(roles);

const Email = Type.String({ format: 'email', maxLength: 254 });
// Long passphrases are welcome; the upper bound keeps hashing cost bounded.
const Password = Text({ minLength: 12, maxLength: 256 });
const DisplayName = Text({ minLength: 1, maxLength: 200 });

export const RegisterBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: DisplayName,
    roles: Type.Array(StringEnum(['provider', 'buyer']), { minItems: 1, maxItems: 2, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const CreateUserBody = Type.Object(
  {
    email: Email,
    password: Password,
    displayName: DisplayName,
    roles: Type.Array(RoleSchema, { minItems: 1, maxItems: roles.length, uniqueItems: true }),
  },
  { additionalProperties: false },
);

export const SetupOperatorBody = Type.Object(
  {
    token: Type.String({ minLength: 16, maxLength: 64, pattern: '^[A-Za-z0-9_-]+$', description: 'The setup token the server printed at its first start (also in DATA_DIR/secrets/setup-token)' }),
    email: Email,
    password: Password,
    displayName: DisplayName,
  },
  { additionalProperties: false },
);

export const LoginBody = Type.Object({ email: Email, password: Text({ minLength: 1, maxLength: 256 }) }, { additionalProperties: false });

export const RefreshBody = Type.Object({ refreshToken: Type.String({ minLength: 16, maxLength: 200, pattern: '^[A-Za-z0-9_-]+$' }) }, { additionalProperties: false });

export const UpdateUserBody = Type.Object(
  {
    roles: Type.Optional(Type.Array(RoleSchema, { minItems: 1, maxItems: roles.length, uniqueItems: true })),
    status: Type.Optional(StringEnum(['active', 'disabled'])),
  },
  { additionalProperties: false, minProperties: 1 },
);

export const UserView = Type.Object({
  id: Uuid,
  email: Type.String(),
  displayName: Type.String(),
  roles: Type.Array(RoleSchema),
  status: StringEnum(['active', 'disabled']),
  createdAt: Timestamp,
});

export const TokenPairView = Type.Object({
  accessToken: Type.String(),
  tokenType: Type.Literal('Bearer'),
  expiresIn: Type.Integer({ description: 'Seconds until the access token expires' }),
  refreshToken: Type.String({ description: 'Use once at /auth/refresh; each use returns a new one' }),
  refreshExpiresAt: Timestamp,
});

export const PasswordChangeBody = Type.Object(
  {
    currentPassword: Text({ minLength: 1, maxLength: 256, description: 'The password the account has now' }),
    newPassword: Password,
  },
  { additionalProperties: false },
);

export const StepUpBody = Type.Object({ password: Text({ minLength: 1, maxLength: 256, description: 'Your account password, checked once more' }) }, { additionalProperties: false });

/** A step-up token as StepUpView hands it out: a JWS in compact form. */
export const StepUpToken = (description: string) => Type.String({ pattern: '^[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+\\.[A-Za-z0-9_-]+$', minLength: 5, maxLength: 2048, description });

export const StepUpView = Type.Object({
  stepUpToken: StepUpToken('Send it as stepUpToken with POST /agreements/{id}/signatures, with an access token of the same session'),
  expiresIn: Type.Integer({ description: 'Seconds until it expires (STEP_UP_TTL_SECONDS)' }),
  expiresAt: Timestamp,
});
