"""Instance-wide settings that an admin changes in the web interface."""

from sqlmodel.ext.asyncio.session import AsyncSession

from buurtnet.models import RegistrationMode, SiteSetting

REGISTRATION_MODE = "registration_mode"
DEFAULT_REGISTRATION_MODE = RegistrationMode.INVITE


async def registration_mode(session: AsyncSession) -> RegistrationMode:
    setting = await session.get(SiteSetting, REGISTRATION_MODE)
    if setting is None or setting.value not in set(RegistrationMode):
        return DEFAULT_REGISTRATION_MODE
    return RegistrationMode(setting.value)


async def set_registration_mode(session: AsyncSession, mode: RegistrationMode) -> None:
    setting = await session.get(SiteSetting, REGISTRATION_MODE)
    if setting is None:
        session.add(SiteSetting(key=REGISTRATION_MODE, value=mode.value))
    else:
        setting.value = mode.value
