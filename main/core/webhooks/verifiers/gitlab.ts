import { ACCEPTED, refuse, safeEqualSecret, type Verdict, type VerifierAdapter } from './verifier.ts';

// GitLab's classic secret token: `X-Gitlab-Token` carries the secret itself (nothing is signed).
// GitLab's newer signing token is Standard Webhooks: use verify = "standard-webhooks" for it.
export const gitlabVerifier: VerifierAdapter = {
  needsSecret: true,
  fields: [],
  create(settings) {
    const header = 'x-gitlab-token';
    return {
      verify(request): Verdict {
        const value = request.headers[header];
        if (value === undefined) return refuse(`${header} header missing`);
        // Every secret is compared (no early exit), so the time taken says nothing about which matched.
        let matched = false;
        for (const secret of settings.secrets) matched = safeEqualSecret(value, secret) || matched;
        return matched ? ACCEPTED : refuse('token does not match');
      },
    };
  },
};
