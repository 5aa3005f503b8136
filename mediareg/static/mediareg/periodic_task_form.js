// The periodic task page (django-celery-beat): shows what the chosen crontab means under its field.
// The package ships this as an inline script, which the Content-Security-Policy does not run; see
// templates/admin/djcelery/change_periodictask_form.html.
'use strict';
{
    const readableCrontabs = JSON.parse(document.getElementById('readable-crontabs').textContent);
    const originalHelp = document.getElementById('periodic-task-overrides').dataset.crontabHelp;
    const crontab = document.getElementById('id_crontab');
    const help = document.querySelector('.field-crontab .help');
    const translationRow = document.querySelector('.field-crontab_translation');

    if (translationRow) {
        translationRow.style.display = 'none';
    }
    if (crontab && help) {
        crontab.addEventListener('change', () => {
            const meaning = readableCrontabs[crontab.value];
            help.textContent = originalHelp;
            if (meaning) {
                help.append(document.createElement('br'), `Translation: ${meaning}`);
            }
        });
    }
}
