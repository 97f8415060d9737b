import { useEffect, useId, useState, type FormEvent } from 'react';
import { FlaskConical, QrCode, Webhook } from 'lucide-react';
import clsx from 'clsx';
import { Button, buttonClass } from '../../components/Button';
import { Dialog } from '../../components/Dialog';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { useToast } from '../../components/Toast';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { sentence } from '../../lib/validate';
import { FacebookIcon } from './FacebookIcon';
import { useCreateChannel, useCreateSandboxPage } from './sourcesApi';

type Kind = 'walkin' | 'webhook' | 'facebook' | 'facebook-sandbox';
const KINDS: readonly Kind[] = ['walkin', 'webhook', 'facebook', 'facebook-sandbox'];
const ICONS = { walkin: QrCode, webhook: Webhook, facebook: FacebookIcon, 'facebook-sandbox': FlaskConical } as const;

export const OAUTH_START = '/api/facebook/oauth/start';

interface Props {
  open: boolean;
  onOpenChange: (o: boolean) => void;
  /** null while the pages list has not answered (or the feature is missing). */
  oauthConfigured: boolean | null;
  onAddNumber: () => void;
}

export function AddChannelDialog({ open, onOpenChange, oauthConfigured, onAddNumber }: Props) {
  const toast = useToast();
  const formId = useId();
  const createChannel = useCreateChannel();
  const createPage = useCreateSandboxPage();
  const [kind, setKind] = useState<Kind>('walkin');
  const [name, setName] = useState('');
  const [error, setError] = useState<string | undefined>();
  const [formError, setFormError] = useState<string | null>(null);
  const busy = createChannel.isPending || createPage.isPending;

  useEffect(() => {
    if (!open) return;
    setKind('walkin');
    setName('');
    setError(undefined);
    setFormError(null);
  }, [open]);

  function onServerError(e: unknown) {
    const split = v.splitServerError(e, ['name'] as const);
    setError(sentence(split.fields.name));
    setFormError(split.form);
  }

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const clean = name.trim();
    if (kind === 'facebook') return;
    if (kind === 'facebook-sandbox') {
      setError(undefined);
      createPage.mutate(clean || undefined, {
        onSuccess: (p) => {
          toast.success(t('sources.added', { name: p.name }));
          onOpenChange(false);
        },
        onError: onServerError,
      });
      return;
    }
    const problem = v.required(clean);
    setError(problem);
    if (problem) return;
    createChannel.mutate(
      { kind, name: clean },
      {
        onSuccess: (c) => {
          toast.success(t('sources.added', { name: c.name }));
          onOpenChange(false);
        },
        onError: onServerError,
      },
    );
  }

  const choice = (k: Kind) => {
    const Icon = ICONS[k];
    const on = kind === k;
    return (
      <button
        key={k}
        type="button"
        role="radio"
        aria-checked={on}
        data-testid={`add-channel-${k}`}
        onClick={() => {
          setKind(k);
          setError(undefined);
          setFormError(null);
        }}
        className={clsx(
          'focus-ring flex cursor-pointer items-start gap-3 rounded-lg border p-3 text-left transition-colors',
          on
            ? 'border-brand-500 bg-brand-50 ring-1 ring-brand-500 dark:border-brand-400 dark:bg-brand-950/60 dark:ring-brand-400'
            : 'border-line-strong bg-surface hover:bg-subtle',
        )}
      >
        <span aria-hidden className={clsx('mt-0.5 shrink-0', on ? 'text-brand-600 dark:text-brand-300' : 'text-faint')}>
          <Icon className="size-5" />
        </span>
        <span className="min-w-0">
          <span className="block text-sm font-medium text-fg">{t(`addChannel.${k}`)}</span>
          <span className="mt-0.5 block text-xs text-muted">{t(`addChannel.${k}.hint`)}</span>
        </span>
      </button>
    );
  };

  const connect =
    oauthConfigured === true ? (
      <a href={OAUTH_START} data-testid="fb-connect" className={buttonClass('primary')}>
        <FacebookIcon className="size-4" />
        {t('addChannel.connect')}
      </a>
    ) : (
      <Button data-testid="fb-connect" disabled title={t('addChannel.connectDisabled')}>
        <FacebookIcon className="size-4" />
        {t('addChannel.connect')}
      </Button>
    );

  return (
    <Dialog
      open={open}
      onOpenChange={onOpenChange}
      testId="add-channel-dialog"
      title={t('addChannel.title')}
      description={t('addChannel.subtitle')}
      footer={
        <>
          <Button variant="secondary" onClick={() => onOpenChange(false)}>
            {t('common.cancel')}
          </Button>
          {kind === 'facebook' ? (
            connect
          ) : (
            <Button type="submit" form={formId} loading={busy} data-testid="channel-submit">
              {t(`addChannel.submit.${kind}`)}
            </Button>
          )}
        </>
      }
    >
      <div role="radiogroup" aria-label={t('addChannel.choice')} className="mb-5 grid gap-2 sm:grid-cols-2">
        {KINDS.map(choice)}
      </div>
      {kind === 'facebook' ? (
        <div className="space-y-3 text-sm text-muted">
          <p>{t('addChannel.facebookExplain')}</p>
          {oauthConfigured !== true && (
            <p data-testid="fb-connect-hint" className="rounded-lg border border-line bg-subtle px-3 py-2.5">
              {t('addChannel.connectDisabled')}
            </p>
          )}
        </div>
      ) : (
        <form id={formId} noValidate onSubmit={submit} className="space-y-4">
          <FormError message={formError} testId="channel-error" />
          <Field
            label={t('addChannel.name')}
            error={error}
            optional={kind === 'facebook-sandbox'}
            hint={t(`addChannel.nameHint.${kind}`)}
          >
            <Input
              data-testid="channel-name"
              autoComplete="off"
              maxLength={80}
              placeholder={t(`addChannel.namePlaceholder.${kind}`)}
              value={name}
              onChange={(e) => setName(e.target.value)}
            />
          </Field>
        </form>
      )}
      <p className="mt-5 text-xs text-muted">
        {t('addChannel.whatsapp')}{' '}
        <button
          type="button"
          data-testid="add-channel-whatsapp"
          className="focus-ring rounded font-medium text-accent underline-offset-2 hover:underline"
          onClick={() => {
            onOpenChange(false);
            onAddNumber();
          }}
        >
          {t('addChannel.whatsappLink')}
        </button>
      </p>
    </Dialog>
  );
}
