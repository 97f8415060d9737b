import { useEffect, useState, type FormEvent } from 'react';
import { Button } from '../../components/Button';
import { Card, CardHeader } from '../../components/Card';
import { Field, FormError } from '../../components/Field';
import { Input } from '../../components/Input';
import { Skeleton } from '../../components/Spinner';
import { useToast } from '../../components/Toast';
import { errorMessage } from '../../lib/api';
import { useSession } from '../../lib/auth';
import { t } from '../../lib/i18n';
import * as v from '../../lib/validate';
import { useBusinessSettings, useUpdateBusiness, type BusinessPatch } from './api';

const FIELDS = ['name', 'default_country'] as const;
type F = (typeof FIELDS)[number];


/** "BR" → "Brazil" in the browser's language; null when unknown. */
function countryName(code: string): string | null {
  if (!/^[A-Z]{2}$/.test(code)) return null;
  try {
    const name = new Intl.DisplayNames(undefined, { type: 'region' }).of(code);
    return name && name !== code ? name : null;
  } catch {
    return null;
  }
}

/** The business's name and default country: owners change them, everyone else reads them. */
export function BusinessSection() {
  const session = useSession();
  const settings = useBusinessSettings();
  const update = useUpdateBusiness();
  const toast = useToast();
  // a platform admin's support view may look, not change
  const editable = session.member?.role === 'owner' && !session.support;
  const [name, setName] = useState('');
  const [country, setCountry] = useState('');
  const [errors, setErrors] = useState<v.FieldErrors<F>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [saved, setSaved] = useState(false);

  const data = settings.data;
  useEffect(() => {
    if (!data) return;
    setName(data.name);
    setCountry(data.default_country);
  }, [data]);

  const changes: BusinessPatch = {};
  if (data && name.trim() !== data.name) changes.name = name.trim();
  if (data && country.trim().toUpperCase() !== data.default_country) changes.default_country = country.trim().toUpperCase();
  const dirty = Object.keys(changes).length > 0;

  function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    setSaved(false);
    const code = country.trim().toUpperCase();
    const found = v.collect<F>({
      name: v.required(name),
      default_country: code && !/^[A-Z]{2}$/.test(code) ? t('admin.create.countryInvalid') : undefined,
    });
    setErrors(found ?? {});
    if (found || !dirty) return;
    update.mutate(changes, {
      onSuccess: () => {
        setSaved(true);
        toast.success(t('settings.business.saved'));
      },
      onError: (err) => {
        const split = v.splitServerError(err, FIELDS);
        setErrors({ name: v.sentence(split.fields.name), default_country: v.sentence(split.fields.default_country) });
        setFormError(split.form);
      },
    });
  }

  const edit = (set: (s: string) => void, field: F) => (e: React.ChangeEvent<HTMLInputElement>) => {
    set(e.target.value);
    setSaved(false);
    if (errors[field]) setErrors((x) => ({ ...x, [field]: undefined }));
  };

  const code = country.trim().toUpperCase();
  const shownCountry = countryName(code);

  return (
    <Card>
      <div data-testid="business-settings-section">
        <CardHeader title={t('settings.business.title')} description={t('settings.business.subtitle')} />
        {settings.isPending ? (
          <div className="space-y-3 p-5">
            <Skeleton className="h-6 w-64" />
            <Skeleton className="h-6 w-40" />
          </div>
        ) : settings.isError ? (
          <div className="p-5">
            <FormError message={errorMessage(settings.error)} testId="business-settings-error" />
          </div>
        ) : !editable ? (
          <dl className="grid gap-4 p-5 sm:grid-cols-2">
            <div className="min-w-0">
              <dt className="text-xs text-faint">{t('setup.businessName')}</dt>
              <dd className="text-fg [overflow-wrap:anywhere]" data-testid="business-settings-name">
                {data?.name}
              </dd>
            </div>
            <div className="min-w-0">
              <dt className="text-xs text-faint">{t('settings.business.country')}</dt>
              <dd className="text-fg" data-testid="business-settings-country">
                {data?.default_country
                  ? `${countryName(data.default_country) ?? data.default_country} (${data.default_country})`
                  : t('settings.business.noCountry')}
              </dd>
            </div>
          </dl>
        ) : (
          <form noValidate onSubmit={submit} className="space-y-4 p-5">
            <FormError message={formError} testId="business-settings-error" />
            <div className="grid gap-4 sm:grid-cols-2">
              <Field label={t('setup.businessName')} error={errors.name}>
                <Input
                  data-testid="business-settings-name"
                  autoComplete="organization"
                  maxLength={120}
                  value={name}
                  onChange={edit(setName, 'name')}
                />
              </Field>
              <Field
                label={t('settings.business.country')}
                optional
                error={errors.default_country}
                hint={
                  shownCountry
                    ? t('settings.business.countryIs', { country: shownCountry })
                    : t('settings.business.countryHint')
                }
              >
                <Input
                  data-testid="business-settings-country"
                  autoComplete="off"
                  maxLength={2}
                  placeholder={t('settings.business.countryPlaceholder')}
                  className="uppercase placeholder:normal-case"
                  value={country}
                  onChange={edit((s) => setCountry(s.toUpperCase().replace(/[^A-Za-z]/g, '')), 'default_country')}
                />
              </Field>
            </div>
            <div className="flex items-center justify-end gap-3">
              {saved && !dirty && (
                <span role="status" data-testid="business-settings-saved" className="text-sm text-brand-700 dark:text-brand-300">
                  {t('settings.business.savedInline')}
                </span>
              )}
              <Button type="submit" data-testid="business-settings-save" loading={update.isPending} disabled={!dirty}>
                {t('common.save')}
              </Button>
            </div>
          </form>
        )}
      </div>
    </Card>
  );
}
